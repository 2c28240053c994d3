"""Checks that name a problem without changing a rating: periods, published words, codes.

* The previous period must be before the latest and be its comparable period
  (the quarter before for quarterly data, a year earlier for year-to-date data;
  annual data compares with the most recent earlier year that has data).
* A published trend or RAG that disagrees with the data is named (a published
  table can be wrong: the 2022/23 seed says "Increase" for 23.08% → 22.40%).
* Two rows with one code would be rated from the same data.

Each check runs once per distinct combination of the cells it reads.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.engine.cells import RowCells, is_text as _is_text
from kpi_excel.core.engine.parsed import any_of, D_NO_CHANGE, D_NOT_APPLICABLE, DIRECTIONS, W_NA, WORDS
from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.periods import Frequency, Period, comparable_previous
from kpi_excel.core.rag import AMBER, BLUE, GREEN, YELLOW, RuleSpec, parse_rag_word
from kpi_excel.core.trend import read_published_trend

__all__ = ["effective_frequencies", "check_periods", "check_published", "duplicate_codes"]

_YTD_NAME = re.compile(r"year[\s-]to[\s-]date|\bytd\b|cumulative", re.I)


_FREQUENCIES = (None, *Frequency)


def effective_frequencies(cells: RowCells, frequency: np.ndarray) -> np.ndarray:
    """Each row's frequency as a code (0: none, else 1 + its place in
    :class:`Frequency`). An indicator reported quarterly or monthly (or with no
    frequency) whose name says "year to date" (or cumulative) compares with the
    same period a year earlier: YTD (as :func:`kpi_excel.core.periods.effective_frequency`)."""
    field = cells.distinct("frequency")
    by_slot = np.array([_FREQUENCIES.index(f) for f in _first_of_each_slot(frequency, field.slots)], dtype=np.int8)
    code = by_slot[field.slots]
    open_to_it = any_of(code, (0, _FREQUENCIES.index(Frequency.QUARTERLY), _FREQUENCIES.index(Frequency.MONTHLY)))
    rows = np.flatnonzero(open_to_it)
    if len(rows):
        says = np.zeros(len(code), dtype=bool)
        says[rows] = _names_say_ytd(cells, rows)
        code = np.where(says, _FREQUENCIES.index(Frequency.YTD), code).astype(np.int8)
    return code


def _names_say_ytd(cells: RowCells, rows: np.ndarray) -> np.ndarray:
    """Whether each row's indicator name says "year to date" (or cumulative)."""
    names = cells.text_column("indicator")
    if names is not None:
        # Only a name holding one of these words (or any non-ASCII letter, which
        # may case-fold to one) can match: search the rest no further.
        picked = names.iloc[rows]
        maybe = (~picked.str.isascii() | picked.str.lower().str.contains("date|ytd|cumulative", regex=True))
        rows_to_search = rows[maybe.to_numpy(dtype=bool, na_value=False)]
        found = np.zeros(len(rows), dtype=bool)
        found[np.searchsorted(rows, rows_to_search)] = [
            bool(_YTD_NAME.search(str(n))) for n in cells.cells_at("indicator", rows_to_search)]
        return found
    return np.array([n is not None and bool(_YTD_NAME.search(str(n))) for n in cells.cells_at("indicator", rows)],
                    dtype=bool)


def frequency_of(code: int) -> Frequency | None:
    return _FREQUENCIES[code]


def _first_of_each_slot(values: np.ndarray, slots: np.ndarray) -> list[object]:
    """The value of each slot (values are the same on every row of a slot; an
    unreadable frequency is None)."""
    size = int(slots.max()) + 1 if len(slots) else 0
    first = np.full(size, -1, dtype=np.intp)
    first[slots[::-1]] = np.arange(len(slots) - 1, -1, -1)
    return [values[f] if f >= 0 else None for f in first]


def check_periods(rows: np.ndarray, latest: np.ndarray, latest_slots: np.ndarray, previous: np.ndarray,
                  previous_slots: np.ndarray, frequency: np.ndarray, log: ProblemLog) -> None:
    """Name a previous period that is not before, or not comparable with, the
    latest: once per distinct (latest, previous, frequency)."""
    readable = np.array([p is not None for p in latest], dtype=bool) & \
        np.array([p is not None for p in previous], dtype=bool)
    rows = rows[readable[rows]]
    if not len(rows):
        return
    key = (latest_slots[rows].astype(np.int64) * (int(previous_slots.max()) + 1) + previous_slots[rows]) * 16 + \
        frequency[rows]
    codes, uniques = pd.factorize(key)
    first = np.zeros(len(uniques), dtype=np.intp)
    first[codes[::-1]] = rows[::-1]
    found = np.array([_period_problem(latest[r], previous[r], frequency_of(int(frequency[r]))) for r in first],
                     dtype=object)
    messages = found[codes]
    named = np.array([m is not None for m in messages], dtype=bool)
    log.add(rows[named], "previous_period", list(messages[named]))


def _period_problem(latest: Period, previous: Period, frequency: Frequency | None) -> str | None:
    if not previous < latest:
        return f"{previous.label} is not before the latest period {latest.label}"
    if frequency is Frequency.ANNUAL or (frequency is None and latest.kind == "year"):
        if previous.kind != latest.kind or previous.months != latest.months:
            return f"{previous.label} is not the same kind of period as {latest.label}"
        return None  # annual data compares with the most recent earlier year that has data
    expected = comparable_previous(latest, frequency)
    if expected is not None and expected != previous:
        how = (frequency.value.lower() if frequency else "this") + " data"
        return f"{previous.label} is not the comparable period for {how} (expected {expected.label})"
    return None


def check_published(cells: RowCells, rows: np.ndarray, word: np.ndarray, direction: np.ndarray,
                    latest_shown: np.ndarray, previous_shown: np.ndarray, rag: np.ndarray, reason: np.ndarray,
                    log: ProblemLog, specs: np.ndarray | None = None) -> None:
    """A published trend or RAG that disagrees with the data, or is not a word we know.
    ``specs`` (each row's rule) say which statuses the council's key has: a published
    Yellow under a key with none is its Amber, a Blue its Green; a status in the key's
    own words ("Green star") is that status."""
    trend = cells.distinct("published_trend")
    readings = trend.apply(read_published_trend)
    said_trend = trend.present[rows] & (word[rows] != W_NA)
    picked, messages = [], []
    for row in rows[said_trend]:
        said = trend.keys[trend.codes[row]]
        reading = readings[trend.codes[row]]
        moved = WORDS[word[row]]
        movement = f"{previous_shown[row]} → {latest_shown[row]} is {_a(moved)}"
        if reading is None:
            message = f"published trend '{str(said)[:40]}' is not a word we know"
        elif reading[0] == "word" and reading[1] != moved:  # type: ignore[index]
            message = f"published trend '{said}' disagrees with the data: {movement}"
        elif reading[0] == "direction" and direction[row] not in (D_NOT_APPLICABLE, D_NO_CHANGE) and \
                reading[1] != DIRECTIONS[direction[row]]:  # type: ignore[index]
            message = (f"published trend '{said}' disagrees with the data: {movement} "
                       f"({DIRECTIONS[direction[row]].lower()})")
        else:
            continue
        picked.append(row)
        messages.append(message)
    log.add(np.array(picked, dtype=np.intp), "published_trend", messages)

    published = cells.distinct("published_rag")
    words = published.apply(parse_rag_word)
    picked, messages = [], []
    for row in rows[published.present[rows]]:
        said = published.keys[published.codes[row]]
        found = words[published.codes[row]]
        label = found
        if specs is not None:
            found, label = _in_the_key(said, found, specs[row])
        if found is None:
            messages.append(f"published RAG '{str(said)[:40]}' is not Red, Amber, Green or N/A")
        elif found != rag[row]:
            messages.append(f"published RAG {label} differs from the calculated {reason[row]}")
        else:
            continue
        picked.append(row)
    log.add(np.array(picked, dtype=np.intp), "published_rag", messages)


def _in_the_key(said: object, found: str | None, spec: RuleSpec) -> tuple[str | None, str | None]:
    """A published status as the row's key words it (see :func:`check_published`), and
    how a disagreement names it."""
    text = str(said).strip().lower()
    for status, name in spec.names:
        if text == name.lower():
            return name, name
    if found is None:
        return None, None
    statuses = spec.statuses()
    if found == YELLOW and YELLOW not in statuses:
        return spec.name_of(AMBER), AMBER  # Belfast's Yellow under a three-colour key
    if found == BLUE and BLUE not in statuses:
        return spec.name_of(GREEN), "Blue (read as Green: the key has no Blue)"
    return spec.name_of(found), spec.name_of(found)


def _a(word: str) -> str:
    return {"Increase": "an increase", "Decrease": "a decrease", "Same": "the same"}.get(word, word.lower())


def duplicate_codes(codes: "Sequence[object]", where: "Sequence[str] | Callable[[int], str] | None" = None
                    ) -> dict[int, str]:
    """Rows whose code another row also has, each with a message naming the
    others: both rows would be rated from the same data. ``where`` names each
    row (e.g. "row 12", a list or a function of the 0-based position); by
    default its 1-based position."""
    positions: Iterable[int] = range(len(codes))
    if isinstance(codes, pd.Series):
        if _is_text(codes):
            # Two codes that are the same once trimmed are the same once every
            # character but letters and digits is dropped: look only at those.
            found, _ = pd.factorize(codes.str.replace(r"[^A-Za-z0-9]", "", regex=True))
            repeated = np.bincount(found[found >= 0], minlength=1) > 1
            positions = np.flatnonzero((found >= 0) & repeated[np.maximum(found, 0)])
            picked = dict(zip(positions.tolist(), codes.iloc[positions].tolist()))
            codes = picked  # type: ignore[assignment]
        else:
            codes = codes.tolist()
    seen: dict[str, list[int]] = {}
    for index in positions:
        code = codes[index]
        text = code.strip() if code.__class__ is str else _code_text(code)  # type: ignore[attr-defined]
        if text and text.lower() not in _NOT_CODES:
            found = seen.get(text)
            if found is None:
                seen[text] = [int(index)]
            else:
                found.append(int(index))
    seen = {code: indexes for code, indexes in seen.items() if len(indexes) > 1}
    if not seen:
        return {}
    if where is None:
        name = lambda i: f"row {i + 1}"  # noqa: E731
    elif callable(where):
        name = where
    else:
        name = where.__getitem__
    problems: dict[int, str] = {}
    for code, indexes in seen.items():
        for index in indexes:
            others = ", ".join(name(i) for i in indexes if i != index)
            problems[index] = (f"code '{code}' is also on {others}: both are rated from the same data; "
                               "give each indicator its own code")
    return problems


_NOT_CODES = ("n/a", "-", "na")


def _code_text(code: object) -> str:
    text = "" if code is None else str(code).strip()
    if isinstance(code, float) and code.is_integer():
        text = str(int(code))
    return text
