"""The committee paper's links are bounded per officer (issue 17, Low 13).

The store kept the newest 32 links for everyone, so 50 officers pressing the
button at once evicted 18 of their colleagues' links before they were used.
"""

from __future__ import annotations

from pathlib import Path

from kpi_excel.addin.server.papers import PaperStore, private_folder


def test_fifty_officers_at_once_keep_their_links_and_one_officer_only_evicts_their_own(tmp_path: Path) -> None:
    store = PaperStore(private_folder(tmp_path), seconds=600)
    links = {f"officer{i}": store.put(b"p", "a.docx", f"officer{i}", now=10 + i) for i in range(50)}
    mine = [store.put(str(i).encode(), "a.docx", "busy", now=100 + i) for i in range(6)]
    assert all(store.take(token, now=200) is not None for token in links.values())  # nobody's evicted
    assert [store.take(token, now=200) is not None for token in mine] == [False, False, True, True, True, True]
