"""Where a published table prints its own status (its RAG), read from what the cells hold.

A header alone does not say it. Councils head their colour column "Performance"
(which otherwise names a value), and head a column of "Up to date" / "Overdue"
"Status" (which otherwise names the RAG). A Welsh annual report writes the
status after the value in one cell, ``95.4% Red``. So:

* a "Status" column none of whose cells is Red, Amber or Green (or a key's phrase
  for one) is not the published status;
* a value-named column whose cells are Red/Amber/Green is the published status,
  when the table has no other;
* a value cell ending in a colour is that value, with that colour as its
  published status (the value reader would otherwise take the colour for a unit).
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from kpi_excel.core.columns import ColumnMap, field_of_header
from kpi_excel.core.rag import NA, parse_rag_word

__all__ = ["settle_published_status", "split_status_from_values"]

# Most of a column's cells must read as statuses for it to be the status column.
_STATUS_SHARE = 0.8


def _present(cells: Sequence[object]) -> list[object]:
    return [c for c in cells if c is not None and str(c).strip() != ""]


def _status(cell: object, own: frozenset[str]) -> str | None:
    """A cell's status: a RAG word, or one of a council key's own names (``own``, lower case)."""
    word = parse_rag_word(cell)
    if word is None and own and str(cell).strip().lower() in own:
        return str(cell).strip()
    return word


def _holds_colours(cells: Sequence[object], own: frozenset[str] = frozenset()) -> bool:
    """Most cells are statuses, and at least one is Red, Amber or Green."""
    present = _present(cells)
    words = [_status(c, own) if isinstance(c, str) else None for c in present]
    read = [w for w in words if w is not None]
    return bool(present) and len(read) >= _STATUS_SHARE * len(present) and any(w != NA for w in read)


def _holds_no_colour(cells: Sequence[object], own: frozenset[str] = frozenset()) -> list[str] | None:
    """The texts of a column none of whose cells is Red, Amber or Green (None when one is, or it is empty)."""
    present = _present(cells)
    words = [_status(c, own) for c in present]
    if not present or any(w not in (None, NA) for w in words) or all(w is not None for w in words):
        return None
    return list(dict.fromkeys(str(c).strip() for c, w in zip(present, words) if w is None))


def settle_published_status(columns: ColumnMap, cells_of: Callable[[int], Sequence[object]],
                            own_names: Sequence[str] = ()) -> None:
    """Drop a status column that holds no RAG, and take a value-named column of
    colours as the published status. ``own_names``: the council key's own words for
    its statuses (Harlow's "Green star"), statuses too. Says what it did in
    ``columns.notes``."""
    own = frozenset(name.strip().lower() for name in own_names)
    index = columns.by_name.get("published_rag")
    if index is not None:
        texts = _holds_no_colour(list(cells_of(index))[:200], own)
        if texts is not None:
            del columns.by_name["published_rag"]
            shown = ", ".join(f"'{t[:30]}'" for t in texts[:3])
            columns.notes.append(f"column '{columns.header_at(index)}' holds {shown}, not Red, Amber or Green: "
                                 "not read as the published status")
    if "published_rag" in columns:
        return
    values = [i for i, header in enumerate(columns.headers) if field_of_header(header) == "latest_value"]
    for position in values:
        if not _holds_colours(list(cells_of(position))[:200]):
            continue
        header = columns.header_at(position)
        columns.by_name["published_rag"] = position
        columns.duplicates = [(n, h) for n, h in columns.duplicates if (n, h) != ("latest_value", header)]
        columns.notes.append(f"column '{header}' holds Red, Amber and Green: read as the published status")
        if columns.by_name.get("previous_value") == position:  # taken as the older of two value columns
            del columns.by_name["previous_value"]
        if columns.by_name.get("latest_value") == position:
            _latest_from_another(columns, values, cells_of)
        return


def _latest_from_another(columns: ColumnMap, values: list[int], cells_of: Callable[[int], Sequence[object]]) -> None:
    """The value-named column taken for the latest value held colours: the next that does not is the value."""
    taken = {columns.by_name["published_rag"], columns.by_name.get("previous_value")}
    for position in values:
        if position not in taken and not _holds_colours(list(cells_of(position))[:200]):
            columns.by_name["latest_value"] = position
            header = columns.header_at(position)
            columns.duplicates = [(n, h) for n, h in columns.duplicates if (n, h) != ("latest_value", header)]
            return
    del columns.by_name["latest_value"]


# "95.4% Red", "12 days (Green)": a value, then its colour.
_VALUE_THEN_COLOUR = re.compile(r"^(?P<value>.*?\S)\s*[(\[]?\s*(?P<colour>red|amber|green|yellow|blue)\s*[)\]]?\s*$", re.I)


def split_status_from_values(cells: Sequence[object]) -> tuple[list[object], list[object]] | None:
    """Value cells that end in their status (``95.4% Red``): each value without
    the colour, and the colour (None where a cell has none). None when no cell
    ends in a colour."""
    values: list[object] = []
    statuses: list[object] = []
    found = False
    for cell in cells:
        match = _VALUE_THEN_COLOUR.match(cell) if isinstance(cell, str) else None
        if match is None or not re.search(r"\d", match.group("value")):
            values.append(cell)
            statuses.append(None)
            continue
        found = True
        values.append(match.group("value"))
        statuses.append(match.group("colour").title())
    return (values, statuses) if found else None
