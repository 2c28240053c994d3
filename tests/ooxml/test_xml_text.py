"""xmlutil.xml_text, the one way cells and charts write text as element content: it parses back to
the text exactly, as the per-character table it replaced wrote it."""

from __future__ import annotations

import random

from lxml import etree

from kpi_excel.ooxml.xmlutil import xml_text

_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})  # the old way, for comparison
_PIECES = ["&", "<", ">", "\r", "\n", "\t", "\r\n", '"', "'", "&amp;", "&#13;", "]]>", "<?x?>", "<!--", " ", "a",
           "é", "中", "\U0001F600", "\u2028", "\u0085", "_x000D_", ";", "#"]


def test_text_parses_back_as_it_was_and_as_the_table_wrote_it() -> None:
    rng = random.Random(20)
    texts = ["", "plain", "x" * 40_000, "é" * 40_000 + "&<>\r"]
    texts += ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30))) for _ in range(3_000)]
    for text in texts:
        body = xml_text(text)
        assert body == text.translate(_TABLE)
        assert (etree.fromstring(f"<a>{body}</a>".encode()).text or "") == text
