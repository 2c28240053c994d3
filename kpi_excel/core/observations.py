"""Observations: every indicator value from every source, in one long model.

One row per value: ``code, area, period, value, numerator, denominator,
source, note, updated, row``. ``value`` is a float in the units an officer
reads (a 0.776 shown as ``0.0%`` is 77.6); a suppressed value (``c``, ``x``,
``..``) is NaN with the reason in ``note``. ``area`` is a canonical area name,
or empty for "the report's own area" (a workbook's Data sheet usually has no
Area column). ``source`` names where the row came from (``Data sheet``,
``sql:kpi_values``, ``lait:bds_long.parquet``) and ``row`` its row there;
``updated`` is when the source says the value was last changed (NaT: not said).
``shown`` is the value as the source displayed it (``77.6%``, ``3,972``): it
keeps what a float loses, that the value is a percentage and its precision.

Readers (``kpi_excel.sources``) do the input and map columns; this module turns
their raw cells into observations and reports every row it cannot use as a
:class:`SourceProblem` that says where the row is. Nothing is dropped silently.

Choosing periods (:func:`choose_periods`): for each indicator, the latest
period with a value for the area, and the comparable previous period by the
indicator's frequency (:func:`kpi_excel.core.periods.comparable_previous`).
When sources disagree about one period, the *newest observation* wins: the one
with the later ``updated`` stamp, else the one from the source given later
(later sources are refreshes of earlier ones); the note says which won.
"""

from __future__ import annotations

import math
from itertools import compress, repeat
from operator import itemgetter, not_
from dataclasses import dataclass, field
from typing import Callable, Collection, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.areas import AreaDirectory, AreaError
from kpi_excel.core.periods import (
    Frequency,
    Period,
    PeriodError,
    comparable_previous,
    format_period,
    parse_frequency,
    parse_period,
)
from kpi_excel.core.cell_reading import (
    BAD,
    Failed,
    blank,
    number,
    number_and_count,
    per_distinct,
    period_label,
    text,
    timestamp,
)
from kpi_excel.core.values import format_number

__all__ = [
    "OBSERVATION_COLUMNS",
    "OBSERVATION_SYNONYMS",
    "match_observation_columns",
    "CHOICE_COLUMNS",
    "SourceProblem",
    "Observations",
    "empty_observations",
    "observations_from_records",
    "observations_from_columns",
    "combine_observations",
    "PeriodChoice",
    "choose_periods",
    "choose_periods_and_values",
    "winning_values",
]

OBSERVATION_COLUMNS = (
    "code", "area", "period", "value", "numerator", "denominator", "source", "note", "updated", "row", "shown",
)
CHOICE_COLUMNS = (
    "frequency", "previous_period", "previous_value", "previous_source", "latest_period", "latest_value",
    "latest_source", "choice_note", "previous_shown", "latest_shown",
    "previous_numerator", "previous_denominator", "latest_numerator", "latest_denominator",
)

# Header text (normalised: lower-case words) → observation column. A source's
# columns are found by these, in any order.
OBSERVATION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("code", "indicator code", "kpi code", "pi code", "measure code", "short desc", "measure short",
             "indicator ref", "kpi ref", "ref", "reference", "indicator id", "kpi id", "kpi", "indicator"),
    "area": ("area", "la", "la name", "local authority", "authority", "la and regions", "geography",
             "area name", "council", "organisation"),
    "period": ("period", "years", "year", "time period", "reporting period", "period label", "date", "as at"),
    "value": ("value", "values", "figure", "result", "actual", "outturn", "data", "amount", "latest value"),
    "numerator": ("numerator", "count", "num"),
    "denominator": ("denominator", "base", "denom", "cohort"),
    "note": ("note", "notes", "comment", "comments", "footnote", "flag"),
    "updated": ("updated", "last updated", "date updated", "updated at", "timestamp", "modified",
                "last modified", "loaded at", "refreshed"),
}


def match_observation_columns(headers: Sequence[object]) -> dict[str, int]:
    """Observation column → position of the header that names it. The earlier a
    synonym is listed the stronger it is (``Code`` beats ``Indicator`` for the
    code); a header is used for one column only."""
    from kpi_excel.core.columns import normalise_header

    keys = [normalise_header(h) for h in headers]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for name, words in OBSERVATION_SYNONYMS.items():
        for word in words:
            index = next((i for i, key in enumerate(keys) if key == word and i not in taken), None)
            if index is not None:
                found[name] = index
                taken.add(index)
                break
    return found


@dataclass(frozen=True)
class SourceProblem:
    """One row (or cell) of a source that could not be used as it stands."""

    where: str  # "Data!C17", "sql:kpi_values row 12", "lait:bds.parquet row 9"
    message: str
    code: str = ""

    def __str__(self) -> str:
        about = f" (indicator {self.code})" if self.code else ""
        return f"{self.where}: {self.message}{about}"


@dataclass
class Observations:
    """Observations from one or more sources, and the problems found reading them."""

    frame: pd.DataFrame
    problems: list[SourceProblem] = field(default_factory=list)
    # Rows of codes the reader was not asked for (see ``wanted``): ``code`` and ``row`` only, in
    # source order; these rows' values were not read. None when every code was read.
    others: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.frame)


def empty_observations() -> pd.DataFrame:
    """An observation frame with no rows and the model's columns and types."""
    return pd.DataFrame({
        "code": pd.Series([], dtype=object), "area": pd.Series([], dtype=object),
        "period": pd.Series([], dtype=object), "value": pd.Series([], dtype=np.float64),
        "numerator": pd.Series([], dtype=np.float64), "denominator": pd.Series([], dtype=np.float64),
        "source": pd.Series([], dtype=object), "note": pd.Series([], dtype=object),
        "updated": pd.Series([], dtype="datetime64[us]"), "row": pd.Series([], dtype=np.int64),
        "shown": pd.Series([], dtype=object),
    })


Where = Callable[[int, str], str]  # (record position in raw, field) -> "Data!C17"


def observations_from_records(
    raw: pd.DataFrame,
    *,
    source: str,
    where: Where,
    formats: pd.DataFrame | None = None,
    directory: AreaDirectory | None = None,
) -> Observations:
    """Turn a reader's raw cells into observations.

    ``raw`` has a ``row`` column (the source's own row number) and any of
    ``code, area, period, value, numerator, denominator, note, updated`` holding
    cells as read. ``formats`` (same index, same columns) holds Excel number
    formats where the cells came from a workbook. ``where(i, field)`` names the
    cell of record ``i`` (its position in ``raw``) for messages. With a ``directory`` every area is checked and written
    canonically; a row for an unknown area is reported and left out.
    """
    columns = {name: raw[name].to_numpy(dtype=object).tolist() for name in raw.columns if name != "row"}
    rows = raw["row"].to_numpy().tolist() if "row" in raw.columns else list(range(2, len(raw) + 2))
    value_formats = (formats["value"].to_numpy(dtype=object).tolist()
                     if formats is not None and "value" in formats.columns else None)
    return observations_from_columns(columns, rows, source=source, where=where, value_formats=value_formats,
                                     directory=directory)


def observations_from_columns(
    columns: Mapping[str, list],  # type: ignore[type-arg]
    rows: list[int],
    *,
    source: str,
    where: Where,
    value_formats: list | None = None,  # type: ignore[type-arg]
    directory: AreaDirectory | None = None,
    wanted: Collection[str] | None = None,
) -> Observations:
    """As :func:`observations_from_records`, from the cells as columns (lists of equal length,
    record ``i`` being source row ``rows[i]``) and the value cells' number formats.

    With ``wanted`` (codes), a row of another code is checked only as far as it takes to list it in
    :attr:`Observations.others` as a row that would be used (its code, period and area; whether it
    repeats another row with a different value); its value, counts and stamp are not read and say
    nothing. A Data sheet pasted whole from a warehouse holds many codes a report does not use.

    Read a column at a time, each distinct cell once (:mod:`kpi_excel.core.cell_reading`);
    the problems come in the order a row-by-row reading finds them.
    """
    n = len(rows)
    none = [None] * n

    def column(name: str) -> list:  # type: ignore[type-arg]
        return columns.get(name, none)

    def words(name: str) -> list[str]:
        return per_distinct(_words, column(name))

    codes, periods, values = column("code"), column("period"), column("value")
    found = _RowProblems(where)
    # Which rows are used, as boolean arrays: a column's flags in one pass each.
    flags = np.fromiter(per_distinct(blank, codes), bool, n)
    for cells in (periods, values):  # an empty line is not data: only rows blank so far are looked at
        at = np.flatnonzero(flags).tolist()
        if len(at) == n:
            flags &= np.fromiter(per_distinct(blank, cells), bool, n)
        elif at:
            flags[at] = [blank(cells[i]) for i in at]
    in_use = ~flags
    code_text = per_distinct(_words, codes)
    no_code = np.fromiter(map(not_, code_text), bool, n)
    at = np.flatnonzero(in_use & no_code).tolist()
    found.add_rows(at, 0, "code", ["no indicator code; row not used"] * len(at), [""] * len(at))
    in_use &= ~no_code
    labels = per_distinct(period_label, periods, catch=PeriodError)
    failed = np.fromiter(map(isinstance, labels, repeat(Failed)), bool, n)
    at = np.flatnonzero(in_use & failed).tolist()
    said = {id(labels[i]): f"{labels[i].error}; row not used" for i in at}  # once per distinct period cell
    found.add_rows(at, 0, "period", [said[id(labels[i])] for i in at], [code_text[i] for i in at])
    in_use &= ~failed
    used = in_use.tolist()
    areas = words("area")
    if directory is not None and any(areas):
        areas = _canonical_areas(areas, used, directory, code_text, found)
    others = None
    if wanted is not None:
        asked = np.fromiter(map(wanted.__contains__, code_text), bool, n)
        usable = np.array(used, dtype=bool)  # after _canonical_areas, which may set rows aside
        aside = np.flatnonzero(usable & ~asked).tolist()
        if aside:
            others = _other_rows(aside, code_text, areas, labels, values, value_formats, rows)
            used = (usable & asked).tolist()
    keep = list(compress(range(n), used))
    whole = len(keep) == n
    pick = itemgetter(*keep) if len(keep) > 1 else None  # one C-level gather per column

    def kept(items: list) -> list:  # type: ignore[type-arg]
        if whole:
            return items
        return list(pick(items)) if pick is not None else [items[i] for i in keep]

    # Only the rows kept are read from here on (a cell's reading does not depend on its neighbours).
    value, reason, shown, count = (list(part) for part in zip(*per_distinct(
        number_and_count, kept(values), kept(value_formats if value_formats is not None else none)))) if keep \
        else ([], [], [], [])
    notes = per_distinct(_words, kept(column("note")))
    for k in _filled(reason):
        why = reason[k]
        if why.startswith("!"):
            found.add(keep[k], 1, "value", why[1:] + "; kept as no value", code_text[keep[k]])
            why = why[1:]
        notes[k] = f"{notes[k]}; {why}" if notes[k] else why
    parts = []
    for order, name in enumerate(("numerator", "denominator"), start=2):  # a count is a count, whatever its format
        if name not in columns:  # what _count_cell reads from a blank: no amount, nothing to say
            parts.append([np.nan] * len(keep))
            continue
        amounts, whys, _ = (list(part) for part in zip(*per_distinct(_count_cell, kept(column(name))))) if keep \
            else ([], [], [])
        for k in _filled(whys):
            why = whys[k]
            if why.startswith("!"):
                found.add(keep[k], order, name, f"{why[1:]}; {name} left empty", code_text[keep[k]])
        parts.append(amounts)
    numerators = parts[0] if count.count(None) == len(count) else [
        c if a != a and c is not None else a for a, c in zip(parts[0], count)]  # "3% (420)": 420 is the count
    stamps = per_distinct(timestamp, kept(column("updated")))
    for k in ([k for k, stamp in enumerate(stamps) if stamp is BAD] if BAD in stamps else ()):
        found.add(keep[k], 4, "updated", f"cannot read '{column('updated')[keep[k]]}' as a date and time; "
                                         "taken as not given", code_text[keep[k]])
        stamps[k] = pd.NaT
    out = {"code": kept(code_text), "area": kept(areas), "period": kept(labels), "value": value,
           "numerator": numerators, "denominator": parts[1], "source": [source] * len(keep), "note": notes,
           "updated": stamps, "row": list(map(int, kept(rows))), "shown": shown, "_i": keep}
    frame = pd.DataFrame(out) if keep else empty_observations().assign(_i=pd.Series([], dtype=np.int64))
    frame["updated"] = pd.to_datetime(frame["updated"])
    frame, duplicate_problems = _conflicting_duplicates(frame, where)
    frame = frame.drop(columns="_i")
    return Observations(frame, found.in_order() + duplicate_problems, others)


def _other_rows(at: list[int], codes: list[str], areas: list[str], labels: list, values: list,  # type: ignore[type-arg]
                value_formats: list | None, rows: list[int]) -> pd.DataFrame:  # type: ignore[type-arg]
    """Code and row of the records ``at`` that :func:`_conflicting_duplicates` would keep; only
    records repeating another's code, area and period have their values read to decide."""
    pick = itemgetter(*at) if len(at) > 1 else (lambda items: (items[at[0]],))
    code, area, label = (np.array(pick(column), dtype=object) for column in (codes, areas, labels))
    # Each label once: "Q1 2024/25" and "Q1  2024/25" are one period, as _conflicting_duplicates numbers them.
    label_ids, distinct = pd.factorize(label, sort=False)
    numbers: dict[object, int] = {}
    period = np.array([numbers.setdefault(_try_parse(text) or text, len(numbers)) for text in distinct.tolist()],
                      dtype=np.int64)[label_ids]
    keys = pd.DataFrame({"code": pd.factorize(code)[0], "area": pd.factorize(area)[0], "period": period})
    repeated = keys.duplicated(keep=False).to_numpy()
    keep = np.ones(len(at), dtype=bool)
    if repeated.any():
        twice_at = np.flatnonzero(repeated)
        records = [at[k] for k in twice_at.tolist()]
        looks = [value_formats[i] for i in records] if value_formats is not None else [None] * len(records)
        twice = pd.DataFrame({"code": code[twice_at], "area": area[twice_at], "period": label[twice_at],
                              "value": [read[0] for read in per_distinct(number_and_count,
                                                                         [values[i] for i in records], looks)],
                              "row": twice_at, "_i": twice_at})
        kept, _ = _conflicting_duplicates(twice, lambda i, field: "")
        keep[twice_at] = False
        keep[kept["_i"].to_numpy()] = True
    return pd.DataFrame({"code": pd.Series(code[keep], dtype=object),
                         "row": np.array(pick(rows), dtype=np.int64)[keep]})


def _filled(texts: list[str]) -> list[int]:
    """Positions of the non-empty texts (most columns have none: one pass in C says so)."""
    return [k for k, why in enumerate(texts) if why] if any(texts) else []


def _words(cell: object) -> str:
    return "" if blank(cell) else text(cell)


def _count_cell(cell: object) -> tuple[float, str, str]:
    return number(cell, None)


def _where(used: list[bool], flags: list[bool]) -> list[int]:
    """Positions of the rows still in use whose flag is set."""
    return [i for i, (u, f) in enumerate(zip(used, flags)) if u and f]


class _RowProblems:
    """Problems found column by column, handed back in the order of a row-by-row reading."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self.found: list[tuple[int, int, SourceProblem]] = []
        self.last = (-1, -1)  # the (record, order) added last: while each comes after it, no sort is needed
        self.ordered = True

    def add(self, i: int, order: int, field: str, message: str, code: str) -> None:
        self._after((i, order), (i, order))
        self.found.append((i, order, SourceProblem(self.where(i, field), message, code)))

    def add_rows(self, rows: list[int], order: int, field: str, messages: list[str], codes: list[str]) -> None:
        """:meth:`add` for many records at once (a column's problems, ``rows`` ascending)."""
        if not rows:
            return
        self._after((rows[0], order), (rows[-1], order))
        places = map(self.where, rows, repeat(field))
        self.found.extend(zip(rows, repeat(order), map(SourceProblem, places, messages, codes)))

    def _after(self, first: tuple[int, int], last: tuple[int, int]) -> None:
        self.ordered = self.ordered and first >= self.last
        self.last = last

    def in_order(self) -> list[SourceProblem]:
        found = self.found if self.ordered else sorted(self.found, key=itemgetter(0, 1))
        return [problem for _, _, problem in found]


def _canonical_areas(areas: list[str], used: list[bool], directory: AreaDirectory, codes: list[str],
                     found: _RowProblems) -> list[str]:
    """Each area named canonically; a row for an area the directory does not know is reported
    and no longer used (the first row of an area it refuses gets the directory's reason)."""
    canonical: dict[str, str | None] = {}
    refused: dict[str, str] = {}
    for name in set(areas):
        if not name:
            continue
        try:
            canonical[name] = directory.find(name)
        except AreaError as error:
            canonical[name] = None
            refused[name] = error.message
    out = list(areas)
    for i in _where(used, [bool(a) for a in areas]):
        name = areas[i]
        known = canonical[name]
        if known is not None:
            out[i] = known
            continue
        reason = refused.pop(name, None)
        found.add(i, 0, "area", f"{reason}; row not used" if reason is not None else
                  f"unknown area '{name}' (not an authority in the LA code list, England or a region); "
                  "row not used", codes[i])
        used[i] = False
    return out


def combine_observations(sources: Sequence[Observations]) -> Observations:
    """Stack sources in the order given (later = preferred on a tie); each row
    keeps its ``source`` and gains ``source_order``."""
    frames = []
    problems: list[SourceProblem] = []
    for order, observations in enumerate(sources):
        frame = observations.frame.copy()
        frame["source_order"] = order
        frames.append(frame)
        problems.extend(observations.problems)
    if not frames:
        frame = empty_observations()
        frame["source_order"] = pd.Series([], dtype=np.int64)
        return Observations(frame, problems)
    return Observations(pd.concat(frames, ignore_index=True), problems)


# --- choosing periods ---------------------------------------------------------------


@dataclass
class PeriodChoice:
    """Per indicator code: the previous and latest period and value to report."""

    frame: pd.DataFrame  # index code, columns CHOICE_COLUMNS
    problems: list[SourceProblem] = field(default_factory=list)


def choose_periods(
    observations: Observations | pd.DataFrame,
    indicators: pd.DataFrame | Mapping[str, object] | Iterable[str],
    area: str = "",
    as_of: Period | str | None = None,
) -> PeriodChoice:
    """Pick, for each indicator, the latest period with a value for ``area`` and
    its comparable previous period.

    ``indicators``: a frame with ``code`` (or indexed by code) and optional
    ``frequency`` column, a mapping code → frequency, or plain codes (the
    frequency is then inferred from each period). ``area`` is a canonical
    name (resolve an officer's spelling with :meth:`AreaDirectory.resolve`);
    rows whose area is empty count as ``area``'s own. ``as_of`` re-runs a past period: anything that
    ends after it is ignored.
    """
    return choose_periods_and_values(observations, indicators, area, as_of)[0]


def choose_periods_and_values(
    observations: Observations | pd.DataFrame,
    indicators: pd.DataFrame | Mapping[str, object] | Iterable[str],
    area: str = "",
    as_of: Period | str | None = None,
) -> tuple[PeriodChoice, dict[str, dict[Period, tuple[float, str]]]]:
    """:func:`choose_periods` and :func:`winning_values` from one grouping of the observations
    (a refresh wants both; each alone groups the same rows the same way)."""
    frame = observations.frame if isinstance(observations, Observations) else observations
    problems: list[SourceProblem] = []
    wanted = _indicator_frequencies(indicators, problems)
    cutoff = parse_period(as_of) if isinstance(as_of, str) else as_of
    won = _winners(frame, area, cutoff)
    records = won.records
    out = []
    for code, frequency in wanted.items():
        if code not in won.present:
            out.append((code, _freq_name(frequency), "", np.nan, "", "", np.nan, "",
                        f"no observations for {area or 'this area'}", "", "", *_NO_COUNTS))
            continue
        out.append((code, *_choose_one(records, won, code, frequency, cutoff, problems)))
    result = pd.DataFrame.from_records(out, columns=["code", *CHOICE_COLUMNS]).set_index("code")
    for column in ("previous_value", "latest_value", *_COUNT_COLUMNS):
        result[column] = result[column].astype(np.float64)
    return PeriodChoice(result, problems), won.values()


_COUNT_COLUMNS = ("previous_numerator", "previous_denominator", "latest_numerator", "latest_denominator")
_NO_COUNTS = (np.nan,) * 4


def _counts(records: "_Records", previous: int | None, latest: int | None) -> tuple[float, ...]:
    """The chosen observations' numerators and denominators (NaN where not given)."""
    out: list[float] = []
    for i in (previous, latest):
        out += [np.nan, np.nan] if i is None else [records.numerator[i], records.denominator[i]]
    return tuple(out)


@dataclass(frozen=True)
class _Records:
    """The observation columns as plain lists: choosing periods touches each row
    a few times, and pandas row access would cost more than the choice itself."""

    code: list[str]
    period: list[str]
    value: list[float]
    updated: list[object]
    order: list[int]
    row: list[int]
    source: list[str]
    note: list[str]
    shown: list[str]
    numerator: list[float]
    denominator: list[float]


def _records(frame: pd.DataFrame) -> _Records:
    def column(name: str, default: object) -> list:  # type: ignore[type-arg]
        if name in frame.columns:
            return frame[name].tolist()
        return [default] * len(frame)

    def texts(name: str) -> list[str]:
        # A text column with no gap is its texts already (str gives each back as it is): read in C.
        if name in frame.columns and isinstance(frame[name].dtype, pd.StringDtype) and not frame[name].hasnans:
            return frame[name].tolist()
        return per_distinct(str, column(name, ""))

    def typed(name: str, default: object, kind: type) -> list:  # type: ignore[type-arg]
        # A column already of the type converts in C; any other, cell by cell as ever.
        if name in frame.columns and frame[name].dtype == (np.float64 if kind is float else np.int64):
            return frame[name].to_numpy().tolist()
        return list(map(kind, column(name, default)))

    return _Records(
        texts("code"), texts("period"),
        typed("value", np.nan, float), column("updated", pd.NaT),
        typed("source_order", 0, int), typed("row", 0, int),
        texts("source"), per_distinct(_shown_text, column("note", "")),
        per_distinct(_shown_text, column("shown", "")),
        typed("numerator", np.nan, float), typed("denominator", np.nan, float),
    )


def _shown_text(cell: object) -> str:
    return "" if blank(cell) else str(cell)


class _Winners:
    """Each indicator's winning observation per period, from one pass over the rows.

    Rows are grouped by (code, period) with numpy; only a period given more than
    once goes through :func:`_newest`. Periods are numbered: equal periods written
    differently share a number, and ``rank`` orders the numbers as periods sort.
    Per code, ``groups[code]`` lists (period as first written, number, winner) in the
    order the periods first appear, as a row-by-row reading meets them.
    """

    def __init__(self, records: _Records, cutoff: Period | None) -> None:
        self.records = records
        period_of = {label: _try_parse(label) for label in dict.fromkeys(records.period)}
        number_of: dict[Period, int] = {}
        label_number = {label: -1 if p is None else number_of.setdefault(p, len(number_of))
                        for label, p in period_of.items()}
        self.number_of = number_of
        keys = sorted(set(p.sort_key for p in number_of))
        position = {key: k for k, key in enumerate(keys)}
        self.rank = [position[p.sort_key] for p in number_of]  # equal sort keys, equal rank (ties keep order)
        self.present = set(records.code)
        n = len(records.code)
        number = np.fromiter(map(label_number.__getitem__, records.period), np.int64, n)
        keep = number >= 0
        self.later: dict[str, int] = {}
        if cutoff is not None and number_of:
            ends = np.array([p.end for p in number_of], dtype=np.int64)
            late = keep & (ends[np.maximum(number, 0)] > cutoff.end)
            for i in np.flatnonzero(late).tolist():
                self.later[records.code[i]] = self.later.get(records.code[i], 0) + 1
            keep &= ~late
        self.notes: dict[str, list[str]] = {}
        self.groups: dict[str, list[tuple[Period, int, int]]] = {}
        rows = np.flatnonzero(keep)
        if not len(rows):
            return
        codes, names = pd.factorize(np.array(records.code, dtype=object)[rows], sort=False)
        numbers = number[rows]
        order = np.lexsort((rows, numbers, codes))  # by code, period, then row
        codes, numbers, rows = codes[order], numbers[order], rows[order]
        starts = np.flatnonzero(np.r_[True, (codes[1:] != codes[:-1]) | (numbers[1:] != numbers[:-1])])
        ends = np.r_[starts[1:], len(rows)]
        # Each code's periods in the order their first rows come.
        seen = np.lexsort((rows[starts], codes[starts]))
        starts, ends = starts[seen], ends[seen]
        group_codes, group_numbers = codes[starts].tolist(), numbers[starts].tolist()
        firsts = rows[starts].tolist()
        winners = list(firsts)
        notes: list[str] = [""] * len(firsts)
        for k in np.flatnonzero(ends - starts > 1).tolist():
            winners[k], notes[k] = _newest(records, rows[starts[k]:ends[k]].tolist())
        labels = records.period
        names = names.tolist()
        # Per group, in C: the period as its first row wrote it; then each code's groups as one slice.
        periods = list(map(period_of.__getitem__, map(labels.__getitem__, firsts)))
        heads = codes[starts]
        bounds = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]]).tolist() + [len(firsts)]
        self._flat = (periods, winners, [(names[group_codes[a]], a, b) for a, b in zip(bounds[:-1], bounds[1:])])
        for code, a, b in self._flat[2]:
            self.groups[code] = list(zip(periods[a:b], group_numbers[a:b], winners[a:b]))  # type: ignore[arg-type]
        for k in [k for k, note in enumerate(notes) if note] if any(notes) else ():
            self.notes.setdefault(names[group_codes[k]], []).append(notes[k])

    def values(self) -> dict[str, dict[Period, tuple[float, str]]]:
        if not self.groups:
            return {}
        periods, winners, slices = self._flat
        pairs = list(zip(map(self.records.value.__getitem__, winners), map(self.records.shown.__getitem__, winners)))
        return {code: dict(zip(periods[a:b], pairs[a:b])) for code, a, b in slices}


def _winners(frame: pd.DataFrame, area: str, cutoff: Period | None) -> _Winners:
    own = frame[(frame["area"] == area) | (frame["area"] == "")] if area else frame[frame["area"] == ""]
    return _Winners(_records(own), cutoff)


def _choose_one(records: _Records, won: _Winners, code: str, frequency: Frequency | None,
                cutoff: Period | None, problems: list[SourceProblem]) -> tuple:
    """One indicator's choice. A suppressed latest (or comparable previous) period is a
    problem as well as a note: the row would otherwise quietly report an earlier period."""
    notes: list[str] = []
    later = won.later.get(code, 0)
    if later:
        notes.append(f"{later} observation(s) after {format_period(cutoff)} ignored (as of)")  # type: ignore[arg-type]
    notes.extend(won.notes.get(code, ()))
    listed = won.groups.get(code, [])
    value = records.value
    rank = won.rank
    # The latest period with a value: the highest rank, the last listed of equal ranks (as a stable sort's last).
    found, top = None, -1
    for item in listed:
        number = value[item[2]]
        if number == number and rank[item[1]] >= top:  # not NaN
            found, top = item, rank[item[1]]
    if found is None:
        reasons = sorted({records.note[i] for _, _, i in listed if records.note[i]})
        notes.append("no period has a value" + (f" ({'; '.join(reasons)})" if reasons else ""))
        return (_freq_name(frequency), "", np.nan, "", "", np.nan, "", "; ".join(notes), "", "", *_NO_COUNTS)
    latest, latest_number, latest_i = found
    after = [item for item in listed if rank[item[1]] > top]
    for _, _, i in sorted(after, key=lambda item: rank[item[1]]) if after else ():
        notes.append(f"{records.period[i]} has no value ({records.note[i] or 'no value'}); latest with a value is "
                     f"{records.period[latest_i]}")
        problems.append(SourceProblem(_place(records, i), f"{records.period[i]} has no value "
                                      f"({records.note[i] or 'no value'}): the row reports "
                                      f"{records.period[latest_i]}, the latest period with a value", code))
    freq = frequency
    available = None
    if _annual(freq, latest):  # the periods with a value, in order
        available = [item[0] for item in sorted((item for item in listed if not math.isnan(value[item[2]])),
                                                key=lambda item: rank[item[1]])]
    previous = comparable_previous(latest, freq, available=available)
    name = _freq_name(freq or _inferred(latest))
    if previous is None:
        notes.append("no earlier period with a value")
        return (name, "", np.nan, "", records.period[latest_i], value[latest_i], _place(records, latest_i),
                "; ".join(notes), "", records.shown[latest_i], *_counts(records, None, latest_i))
    previous_number = won.number_of.get(previous)
    previous_i = next((i for _, num, i in listed if num == previous_number), None)
    if previous_i is None:
        notes.append(f"no data for {format_period(previous)}")
        return (name, format_period(previous), np.nan, "", records.period[latest_i], value[latest_i],
                _place(records, latest_i), "; ".join(notes), "", records.shown[latest_i],
                *_counts(records, None, latest_i))
    if math.isnan(value[previous_i]):
        notes.append(f"{records.period[previous_i]} has no value ({records.note[previous_i] or 'no value'})")
        problems.append(SourceProblem(_place(records, previous_i), f"{records.period[previous_i]}, the comparable "
                                      f"previous period, has no value ({records.note[previous_i] or 'no value'}): "
                                      "no change or trend", code))
    return (name, records.period[previous_i], value[previous_i], _place(records, previous_i),
            records.period[latest_i], value[latest_i], _place(records, latest_i), "; ".join(notes),
            records.shown[previous_i], records.shown[latest_i], *_counts(records, previous_i, latest_i))


def _newest(records: _Records, candidates: list[int]) -> tuple[int, str]:
    """The observation that wins for one period, and a note when sources disagree."""
    if len(candidates) == 1:
        return candidates[0], ""

    def key(i: int) -> tuple:  # type: ignore[type-arg]
        # Later updated stamp first; unstamped rows lose to stamped ones; then later source, later row.
        stamp = records.updated[i]
        return (pd.Timestamp(stamp) if not blank(stamp) else pd.Timestamp.min, records.order[i], records.row[i])

    ordered = sorted(candidates, key=key)
    winner = ordered[-1]
    won = records.value[winner]
    differing = [i for i in ordered[:-1] if not _same_number(records.value[i], won)]
    if not differing:
        return winner, ""
    stamp = records.updated[winner]
    why = f"updated {pd.Timestamp(stamp).isoformat(sep=' ')}" if not blank(stamp) else "the source given later"
    losers = ", ".join(f"{_show(records.value[i])} from {_place(records, i)}" for i in differing)
    return winner, (f"{records.period[winner]}: {_show(won)} from {_place(records, winner)} ({why}) used over "
                    f"{losers}")


def _same_number(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _same(values: np.ndarray, value: float) -> np.ndarray:
    return (values == value) | (np.isnan(values) & math.isnan(value))


def _listed(items: list[str], most: int = 10) -> str:
    """Items joined by commas, at most ``most`` of them: a problem's text must
    not grow with the square of the rows (every repeat names every other)."""
    if len(items) <= most:
        return ", ".join(items)
    return ", ".join(items[:most]) + f", … {len(items) - most:,} more"


def _show(value: float) -> str:
    return "no value" if value != value else format_number(float(value), None)


def _place(records: _Records, i: int) -> str:
    return f"{records.source[i]} row {records.row[i]}"


def _annual(frequency: Frequency | None, period: Period) -> bool:
    return (frequency or _inferred(period)) is Frequency.ANNUAL


def _inferred(period: Period) -> Frequency:
    from kpi_excel.core.periods import infer_frequency

    return infer_frequency(period)


def _freq_name(frequency: Frequency | None) -> str:
    return frequency.value if frequency else ""


def _indicator_frequencies(indicators: object, problems: list[SourceProblem]) -> dict[str, Frequency | None]:
    pairs: list[tuple[str, object]]
    if isinstance(indicators, pd.DataFrame):
        codes = indicators["code"] if "code" in indicators.columns else pd.Series(indicators.index)
        freqs = indicators["frequency"] if "frequency" in indicators.columns else [None] * len(indicators)
        pairs = list(zip([str(c) for c in codes], list(freqs)))
    elif isinstance(indicators, Mapping):
        pairs = [(str(c), f) for c, f in indicators.items()]
    else:
        pairs = [(str(c), None) for c in indicators]  # type: ignore[union-attr]
    out: dict[str, Frequency | None] = {}
    for code, raw in pairs:
        try:
            out[code] = parse_frequency(None if blank(raw) else raw)
        except PeriodError as error:
            problems.append(SourceProblem("KPI rows", f"{error}; frequency inferred from the period", code))
            out[code] = None
    return out


def _try_parse(label: str) -> Period | None:
    try:
        return parse_period(label)
    except PeriodError:
        return None


def _conflicting_duplicates(frame: pd.DataFrame, where: Where) -> tuple[pd.DataFrame, list[SourceProblem]]:
    """Two rows of one source for the same indicator, area and period: the same
    value twice is kept once; different values are both reported and neither used."""
    if frame.empty:
        return frame, []
    # Each label once: "Q1 2024/25" and "Q1  2024/25" are one period, so they share a number.
    labels = frame["period"].tolist()
    period_of = {label: _try_parse(label) or label for label in dict.fromkeys(labels)}
    numbers: dict[object, int] = {}
    number_of = {label: numbers.setdefault(period, len(numbers)) for label, period in period_of.items()}
    key_frame = pd.DataFrame({"code": frame["code"], "area": frame["area"],
                              "period": list(map(number_of.__getitem__, labels))})
    duplicated = key_frame.duplicated(keep=False)
    if not duplicated.any():
        return frame, []
    problems: list[SourceProblem] = []
    drop: list[object] = []
    # One pass over the repeated rows, grouped by sorting (a pandas lookup per
    # group took minutes for 100,000 rows of repeats); first-seen group first.
    repeated = key_frame[duplicated]
    group = repeated.groupby(["code", "area", "period"], sort=False).ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    labels = repeated.index.to_numpy()[order]
    group = group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    at = frame.index.get_indexer(labels)
    all_values = frame["value"].to_numpy(np.float64)
    all_rows, all_i = frame["row"].to_numpy(), frame["_i"].to_numpy()
    all_periods, all_codes = frame["period"].to_numpy(object), frame["code"].to_numpy(object)
    for start, end in zip(starts, ends):
        positions = at[start:end]
        values = all_values[positions]
        if np.all(_same(values, values[0])):
            drop.extend(labels[start + 1:end])  # a harmless repeat
            continue
        rows = _listed([str(int(r)) for r in all_rows[positions]])
        shown = _listed([_show(v) for v in values])
        for k in positions:
            problems.append(SourceProblem(
                where(int(all_i[k]), "value"),
                f"{all_periods[k]} is given {end - start} times with different values ({shown}; rows {rows}); "
                "none of them used", all_codes[k]))
        drop.extend(labels[start:end])
    return frame.drop(index=drop).reset_index(drop=True), problems


def winning_values(
    observations: Observations | pd.DataFrame,
    area: str = "",
    as_of: Period | str | None = None,
) -> dict[str, dict[Period, tuple[float, str]]]:
    """Every indicator's value for each period, after the newest-wins rule of
    :func:`choose_periods`: code → {period: (value, shown)}. A suppressed value is
    NaN (a gap in a history, never a zero); labels that are not periods and
    periods after ``as_of`` are left out. The history charts and sparklines read
    this, so they show exactly the values the refresh chose from."""
    frame = observations.frame if isinstance(observations, Observations) else observations
    cutoff = parse_period(as_of) if isinstance(as_of, str) else as_of
    return _winners(frame, area, cutoff).values()
