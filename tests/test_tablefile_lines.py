"""Only the lines above a text table's header are looked at, with str.splitlines()' idea of a line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kpi_excel.sources import table_files

_PIECES = ["# note\n", "\n", "\r\n", "  \n", "#,Code,Value\n", "Code,Value\n", "Code;Value\r", "\x1c", "\u2028",
           "# s\x0b", "Code\tValue\n", "\x85", "#\t\n", " # x\n", "K1,5%\n"]


def _by_splitlines(text: str) -> str:
    lines = text.splitlines(keepends=True)
    first = 0
    while first < len(lines) and (not lines[first].strip() or table_files._is_comment(lines[first])):
        first += 1
    return "".join(lines[first:])


@given(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join))
def test_comment_lines_above_the_header_are_skipped_as_lines(text: str) -> None:
    skipped = table_files._skip_comments(text)
    assert skipped == _by_splitlines(text)
    if skipped.strip():
        header = skipped.splitlines()[0]
        assert table_files._sniff(skipped) == table_files._sniff(header)
