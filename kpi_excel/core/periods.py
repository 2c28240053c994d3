"""Reporting periods: parse the labels councils and DfE use, order them, step back.

Every period is a span of calendar months (``start`` counted in months since
year 0, and ``months`` long) plus a *kind* (month, quarter, half, term, year).
Two labels that name the same span of the same kind are the same period, so
``Q1 2022/23`` equals calendar ``Q2 2022``. The label's own *style* is kept
aside and used to format stepped periods back the way they came in
(``Q2 2022/23`` steps to ``Q1 2022/23``, ``2022-23`` to ``2021-22``,
``Mar-25`` to ``Feb-25``).

Forms read (case and spacing free):

* financial quarters ``Q2 2022/23``, ``2022-23 Q2``, ``Qtr 2 22/23``, and
  calendar quarters ``Q2 2022``, ``2022 Q2``; halves ``H1 2022/23``;
* terms ``Autumn 2021``, ``Spring Term 2022``, ``Summer Census 2021``,
  ``Autumn 2021/22`` (the academic year's autumn);
* financial/academic years ``2021/22``, ``2024-25``, ``FY 2021/22``; calendar
  years ``2025``; rolling ranges ``2016-18`` and ``2019/20-21/22``;
* months ``Mar-25``, ``March 2025``, ``2025-03``; month ranges ``Apr-Sep 2022``,
  ``Jul 25 - Sep 25``, ``April to June 2025`` (three months that make a calendar
  quarter are that quarter, not a year to date: ``Jul-Sep 2025`` is Q2 2025/26);
  dates ``31/03/2025``, ``2025-03-31`` (a snapshot: its month);
* GOV.UK's words: ``2022 to 2023`` (a financial or academic year),
  ``quarter 2, 2025 to 2026``, ``Academic year 2023/24``, ``Financial year
  2023/24``, and quarters that name their months, ``Q2 (Jul-Sep) 2025/26``;
* DfE suffixes ``(prov)``, ``(Rev)``, ``(Final)``, ``(OT)`` and year-to-date
  markers ``YTD`` / ``year to date``, kept in the label.

Financial and academic years start in April here: only order and steps of 12
months matter, so the difference never changes a comparison.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cache, lru_cache
from typing import Iterable

from kpi_excel.errors import CellError

__all__ = [
    "Period",
    "Frequency",
    "PeriodError",
    "parse_period",
    "parse_frequency",
    "format_period",
    "shift",
    "comparable_previous",
    "infer_frequency",
    "effective_frequency",
    "as_date",
]


class PeriodError(CellError):
    """A period label we cannot read."""


class Frequency(Enum):
    """How often an indicator is reported, which decides its comparable period."""

    MONTHLY = "Monthly"
    QUARTERLY = "Quarterly"
    TERMLY = "Termly"
    HALF_YEARLY = "Half-yearly"
    ANNUAL = "Annual"
    YTD = "Year to date"


_TERMS = ("spring", "summer", "autumn")  # in calendar order within a year
_TERM_START = {"spring": 0, "summer": 3, "autumn": 8}  # Jan, Apr, Sep
_TERM_MONTHS = {"spring": 3, "summer": 5, "autumn": 4}
_MONTHS = [m.lower() for m in calendar.month_abbr[1:]]
_MONTH_NAMES = [m.lower() for m in calendar.month_name[1:]]


@dataclass(frozen=True)
class _Style:
    """How a label was written: a template with {fields} and each field's shape."""

    template: str
    shapes: tuple[tuple[str, str], ...] = ()

    def shape(self, name: str) -> str:
        return dict(self.shapes).get(name, "")


@dataclass(frozen=True)
class Period:
    """A reporting period: ``months`` calendar months from ``start``.

    ``start`` counts months since January of year 0 (``year * 12 + month - 1``).
    Equality and hashing ignore how the label was written.
    """

    kind: str  # month | quarter | half | term | year | date
    start: int
    months: int
    ytd: bool = False
    style: _Style = field(default=_Style(""), compare=False, repr=False)
    fiscal: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # A refresh hashes, compares and orders periods by the hundred thousand (a history's window
        # looked up in each indicator's values): ``sort_key`` (end, start, kind) and the hash are
        # worked out once, when the period is made; neither is a field.
        object.__setattr__(self, "sort_key", (self.start + self.months, self.start, self.kind))
        object.__setattr__(self, "_hash", hash((self.kind, self.start, self.months, self.ytd)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self is other or (self.start == other.start and self.months == other.months  # type: ignore[attr-defined]
                                 and self.kind == other.kind and self.ytd == other.ytd)  # type: ignore[attr-defined]

    def __getstate__(self) -> dict[str, object]:
        # Not the hash: a text's hash differs from one process to the next.
        return {name: value for name, value in self.__dict__.items() if name != "_hash"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        object.__setattr__(self, "_hash", hash((self.kind, self.start, self.months, self.ytd)))

    @property
    def end(self) -> int:
        """The month index just after the period ends."""
        return self.start + self.months

    def __lt__(self, other: "Period") -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: "Period") -> bool:
        return self.sort_key <= other.sort_key

    def __gt__(self, other: "Period") -> bool:
        return self.sort_key > other.sort_key

    def __ge__(self, other: "Period") -> bool:
        return self.sort_key >= other.sort_key

    @property
    def year(self) -> int:
        return self.start // 12

    @property
    def month(self) -> int:
        """Calendar month (1-12) the period starts in."""
        return self.start % 12 + 1

    @property
    def label(self) -> str:
        return format_period(self)

    def __str__(self) -> str:
        return self.label


# --- parsing -----------------------------------------------------------------

_SUFFIX = re.compile(
    r"\s*\((?:prov|provisional|p|rev|revised|r|final|f|ot|est|estimate|e)\)\s*$",
    re.IGNORECASE,
)
_YTD = re.compile(r"\s*\(?\b(?:ytd|year[\s-]to[\s-]date|cumulative)\b\)?\s*", re.IGNORECASE)

_Y4 = r"(?:19|20|21)\d\d"
_SPLIT = rf"(?P<y1>{_Y4}|\d\d)(?P<sep>\s*[/-]\s*|\s+to\s+)(?P<y2>{_Y4}|\d\d)"
_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_QP = r"(?P<qp>q|qtr|quarter)\s*"
_MON2 = r"(?P<mon2>[a-z]+)"
_YEAR_WORDS = r"(?P<fy>fy|ay|fye|academic\s+year|financial\s+year|school\s+year|year)"


# Each form: its name and pattern (matched whole, any case), compiled on first use: the 17 took ~10 ms
# at import, paid by every command that imports the periods without reading one (kpi-excel benchmark).
_FORMS: tuple[tuple[str, str], ...] = (
    ("fin_quarter", rf"{_QP}(?P<q>[1-4])[\s,]+(?:(?P<fy>fy)\s*)?{_SPLIT}"),
    ("named_quarter", rf"{_QP}(?P<q>[1-4])\s*\(\s*{_MON}\s*(?:-|–|to)\s*{_MON2}\s*\)[\s,]*{_SPLIT}"),
    ("fin_quarter", rf"(?:(?P<fy>fy)\s*)?{_SPLIT}[\s,]+{_QP}(?P<q>[1-4])"),
    ("cal_quarter", rf"{_QP}(?P<q>[1-4])[\s,]+(?P<y>{_Y4})"),
    ("cal_quarter", rf"(?P<y>{_Y4})[\s-]*{_QP}(?P<q>[1-4])"),
    ("fin_half", rf"(?P<hp>h|half|half[\s-]year)\s*(?P<h>[12])[\s,]+{_SPLIT}"),
    ("term_ay", rf"(?P<term>autumn|spring|summer)(?P<mid>(?:\s+term)?(?:\s+census)?)\s+{_SPLIT}"),
    ("term", rf"(?P<term>autumn|spring|summer)(?P<mid>(?:\s+term)?(?:\s+census)?)\s+(?P<y>{_Y4})"),
    ("split_range", r"(?P<y1>\d{4})/(?P<y2>\d\d)\s*-\s*(?P<y3>\d\d)/(?P<y4>\d\d)"),
    ("split_year", rf"(?:{_YEAR_WORDS}\s*)?{_SPLIT}"),
    ("cal_year", rf"(?:(?P<cy>cy)\s*)?(?P<y>{_Y4})"),
    ("month_range", rf"{_MON}\s*(?:-|–|to)\s*{_MON2}[\s-]+(?P<y>{_Y4}|\d\d)"),
    ("month_range", rf"{_MON}[\s-]+(?P<y0>{_Y4}|\d\d)\s*(?:-|–|to)\s*{_MON2}[\s-]+(?P<y>{_Y4}|\d\d)"),
    ("month", rf"{_MON}[\s-]+(?P<y>{_Y4}|\d\d)"),
    ("iso_month", rf"(?P<y>{_Y4})-(?P<m>0[1-9]|1[0-2])"),
    ("iso_date", rf"(?P<y>{_Y4})-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)"),
    ("uk_date", rf"(?P<d>[0-3]?\d)/(?P<m>0?[1-9]|1[0-2])/(?P<y>{_Y4})"),
)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(rf"^\s*{pattern}\s*$", re.IGNORECASE)) for name, pattern in _FORMS)


# Fields a style formats; words keep their case, numbers their width.
_NUMERIC_FIELDS = {"q", "h", "y", "y0", "y1", "y2", "y3", "y4", "m", "d"}
_WORD_FIELDS = {"term", "mon", "mon2", "qp", "hp", "fy", "cy", "mid", "sep"}


def parse_period(label: object) -> Period:
    """Read a period label (or an Excel date / year number) into a :class:`Period`.

    Raises :class:`PeriodError` naming the label when it is not a known form.
    """
    if isinstance(label, dt.datetime):
        label = label.date()
    if isinstance(label, dt.date):
        month = label.year * 12 + label.month - 1
        end_of_month = label.day == calendar.monthrange(label.year, label.month)[1]
        shapes = (("day", "end" if end_of_month else str(label.day)),)
        return Period("date", month, 1, style=_Style("{date}", shapes))
    if isinstance(label, bool) or label is None:
        raise PeriodError(f"no period given ({label!r})")
    if isinstance(label, (int, float)):
        if float(label).is_integer() and 1900 <= label <= 2200:
            return _parse_text(str(int(label)))
        raise PeriodError(f"'{label}' is not a period (a number that is not a year)")
    text = str(label)
    if len(text) > 80:
        raise PeriodError(f"a {len(text):,}-character text is not a period label")
    return _parse_text(text)


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    core, before, after, ytd = _strip_decorations(text)
    for name, pattern in _patterns():
        match = pattern.match(core)
        if match is None:
            continue
        period = _build(name, match)
        if period is None:
            continue
        template = before + _template(core, match) + after
        style = replace(period.style, template=template, shapes=period.style.shapes + _shapes(match))
        return replace(period, style=style, ytd=ytd or period.ytd)
    raise PeriodError(
        f"unknown period '{text.strip()}' (expected a form such as Q2 2022/23, "
        "Summer 2022, 2021/22, 2024-25, 2025, Mar-25 or Apr-Sep 2022)"
    )


def _strip_decorations(text: str) -> tuple[str, str, str, bool]:
    """Split off a DfE suffix and a YTD marker; they go back into the template."""
    after = ""
    suffix = _SUFFIX.search(text)
    if suffix:
        after = text[suffix.start():]
        text = text[: suffix.start()]
    before = ""
    ytd = False
    marker = _YTD.search(text)
    if marker:
        ytd = True
        if marker.start() == 0:
            before = text[: marker.end()]
            text = text[marker.end():]
        else:
            after = text[marker.start():] + after
            text = text[: marker.start()]
    # Braces in the decorations must survive str.format.
    return text, before.replace("{", "{{").replace("}", "}}"), after.replace("{", "{{").replace("}", "}}"), ytd


def _template(text: str, match: re.Match[str]) -> str:
    """The label with each field replaced by a {placeholder}."""
    pieces = []
    last = 0
    spans = sorted(
        (match.start(g), match.end(g), g)
        for g in match.groupdict()
        if match.group(g) is not None and g in _NUMERIC_FIELDS | {"term", "mon", "mon2"}
    )
    for start, end, name in spans:
        pieces.append(text[last:start].replace("{", "{{").replace("}", "}}"))
        pieces.append("{" + name + "}")
        last = end
    pieces.append(text[last:].replace("{", "{{").replace("}", "}}"))
    return "".join(pieces).strip()


def _shapes(match: re.Match[str]) -> tuple[tuple[str, str], ...]:
    shapes = []
    for name, value in match.groupdict().items():
        if value is None:
            continue
        if name in _NUMERIC_FIELDS:
            shapes.append((name, str(len(value))))
        elif name in ("term", "mon", "mon2"):
            lowered = value.lower()
            width = "-full" if lowered in _MONTH_NAMES and len(lowered) > 3 else "-sept" if lowered == "sept" else ""
            shapes.append((name, _case(value) + width))
    return tuple(shapes)


def _case(word: str) -> str:
    if word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    return "title"


def _year(text: str, near: int | None = None) -> int:
    """A 4-digit year, or a 2-digit one: just after ``near`` when given (the 23 of
    2022/23), else as Excel reads it (00-29 are 2000-2029, 30-99 are 1930-1999)."""
    value = int(text)
    if len(text) == 4:
        return value
    if near is None:
        return 2000 + value if value < 30 else 1900 + value
    century = near // 100 * 100
    year = century + value
    if near is not None and year < near:
        year += 100
    return year


def _month_number(word: str) -> int | None:
    word = word.lower()
    for i, (abbr, full) in enumerate(zip(_MONTHS, _MONTH_NAMES)):
        if word == full or word == abbr or (word == "sept" and abbr == "sep"):
            return i + 1
    return None


def _split_years(match: re.Match[str]) -> tuple[int, int] | None:
    first = _year(match.group("y1"))
    second = _year(match.group("y2"), near=first)
    return first, second


def _build(name: str, m: re.Match[str]) -> Period | None:
    groups = m.groupdict()
    if name == "named_quarter":
        first, second = _split_years(m)
        q = int(groups["q"])
        start = first * 12 + 3 + 3 * (q - 1)
        first_month, last_month = _month_number(groups["mon"]), _month_number(groups["mon2"])
        if second != first + 1 or first_month is None or last_month is None:
            return None
        if (first_month - 1, last_month - 1) != (start % 12, (start + 2) % 12):
            return None  # "Q2 (Oct-Dec)": the months contradict the quarter
        return Period("quarter", start, 3, fiscal=True)
    if name in ("fin_quarter", "fin_half"):
        first, second = _split_years(m)
        if second != first + 1:
            return None
        if name == "fin_quarter":
            q = int(groups["q"])
            return Period("quarter", first * 12 + 3 + 3 * (q - 1), 3, fiscal=True)
        h = int(groups["h"])
        return Period("half", first * 12 + 3 + 6 * (h - 1), 6, fiscal=True)
    if name == "cal_quarter":
        q = int(groups["q"])
        return Period("quarter", int(groups["y"]) * 12 + 3 * (q - 1), 3)
    if name in ("term", "term_ay"):
        term = groups["term"].lower()
        if name == "term_ay":
            first, second = _split_years(m)
            if second != first + 1:
                return None
            year = first if term == "autumn" else second
        else:
            year = int(groups["y"])
        return Period("term", year * 12 + _TERM_START[term], _TERM_MONTHS[term])
    if name == "split_year":
        first, second = _split_years(m)
        if second == first + 1:
            return Period("year", first * 12 + 3, 12, fiscal=True)
        if groups.get("fy") or groups["sep"] == "/" or not first < second <= first + 10:
            return None
        # 2016-18: a rolling range of calendar years, as LAIT writes it.
        return Period("year", first * 12, 12 * (second - first + 1))
    if name == "split_range":
        first = int(groups["y1"])
        last = _year(groups["y3"], near=first)
        if _year(groups["y2"], near=first) != first + 1 or _year(groups["y4"], near=last) != last + 1:
            return None
        if not first < last <= first + 10:
            return None
        return Period("year", first * 12 + 3, 12 * (last - first + 1), fiscal=True)
    if name == "cal_year":
        return Period("year", int(groups["y"]) * 12, 12)
    if name == "month":
        month = _month_number(groups["mon"])
        year = _year(groups["y"])
        return Period("month", year * 12 + month - 1, 1) if month else None
    if name == "month_range":
        first_month = _month_number(groups["mon"])
        last_month = _month_number(groups["mon2"])
        if not first_month or not last_month:
            return None
        year = _year(groups["y"])
        end = year * 12 + last_month - 1
        if groups.get("y0"):
            start_year = _year(groups["y0"])
        else:
            start_year = year if first_month <= last_month else year - 1
        start = start_year * 12 + first_month - 1
        if not 1 <= end - start + 1 <= 36:
            return None
        if end - start + 1 == 3 and start % 3 == 0:
            return Period("quarter", start, 3)  # Jul-Sep 2025 is a quarter, not a year to date
        return Period("month", start, end - start + 1)
    if name == "iso_month":
        return Period("month", int(groups["y"]) * 12 + int(groups["m"]) - 1, 1)
    if name in ("iso_date", "uk_date"):
        year, month, day = int(groups["y"]), int(groups["m"]), int(groups["d"])
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        end_of_month = day == calendar.monthrange(year, month)[1]
        return Period("date", year * 12 + month - 1, 1, style=_Style("", (("day", "end" if end_of_month else str(day)),)))
    return None


# --- formatting ----------------------------------------------------------------


def format_period(period: Period) -> str:
    """The period's label, written in the style it was parsed from."""
    style = period.style
    if style.template == "{date}":
        return as_date(period).isoformat()
    if not style.template:
        return _canonical(period)
    values = _field_values(period)
    if period.kind == "date":
        values["d"] = as_date(period).day
    formatted = {}
    for name in re.findall(r"{(\w+)}", style.template):
        formatted[name] = _format_field(name, values.get(name), style.shape(name))
    return style.template.format(**formatted)


def as_date(period: Period) -> dt.date:
    """The day a snapshot period stands for: the same day of the month as the
    label it came from (the month's end if it came from a month end), else the
    period's last day."""
    year, month0 = divmod(period.end - 1, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    wanted = period.style.shape("day") if period.kind == "date" else "end"
    day = last if wanted in ("", "end") else min(int(wanted), last)
    return dt.date(year, month0 + 1, day)


def _canonical(period: Period) -> str:
    year, month0 = divmod(period.start, 12)
    if period.kind == "quarter":
        fy = year if month0 >= 3 else year - 1
        return f"Q{(month0 - 3) % 12 // 3 + 1} {fy}/{(fy + 1) % 100:02d}"
    if period.kind == "year" and period.months == 12:
        return f"{year}/{(year + 1) % 100:02d}" if month0 == 3 else str(year)
    if period.kind == "term":
        term = next(t for t, s in _TERM_START.items() if s == month0)
        return f"{term.title()} {year}"
    return f"{calendar.month_abbr[month0 + 1]}-{year % 100:02d}"


def _field_values(period: Period) -> dict[str, object]:
    year, month0 = divmod(period.start, 12)
    values: dict[str, object] = {"y": year, "m": month0 + 1}
    if period.kind in ("quarter", "half"):
        fy = year if month0 >= 3 else year - 1
        values.update(y1=fy, y2=fy + 1)
        last_year, last_month0 = divmod(period.end - 1, 12)
        values.update(mon=month0 + 1, mon2=last_month0 + 1, y0=year)
        if "{mon" in period.style.template:
            values["y"] = last_year
        values["q"] = ((month0 - 3) % 12) // 3 + 1 if period.fiscal else month0 // 3 + 1
        values["h"] = ((month0 - 3) % 12) // 6 + 1
    elif period.kind == "term":
        term = next(t for t, s in _TERM_START.items() if s == month0)
        values["term"] = term
        ay = year if term == "autumn" else year - 1
        values.update(y1=ay, y2=ay + 1)
    elif period.kind == "year":
        last = (period.end - 1) // 12
        if period.fiscal:
            values.update(y1=year, y2=year + 1, y3=last - 1, y4=last)
        else:
            values.update(y1=year, y2=last)
    elif period.kind == "month":
        last_year, last_month0 = divmod(period.end - 1, 12)
        values.update(mon=month0 + 1, mon2=last_month0 + 1, y=last_year, y0=year)
    return values


def _format_field(name: str, value: object, shape: str) -> str:
    if name == "term":
        return _apply_case(str(value), shape.split("-")[0])
    if name in ("mon", "mon2"):
        month = int(value)  # type: ignore[arg-type]
        word = calendar.month_name[month] if shape.endswith("-full") else calendar.month_abbr[month]
        if shape.endswith("-sept") and month == 9:
            word = "Sept"
        return _apply_case(word, shape.split("-")[0])
    number = int(value)  # type: ignore[arg-type]
    width = int(shape) if shape.isdigit() else 0
    if width == 2:
        return f"{number % 100:02d}"
    return str(number)


def _apply_case(word: str, case: str) -> str:
    if case == "upper":
        return word.upper()
    if case == "lower":
        return word.lower()
    return word[:1].upper() + word[1:].lower()


# --- stepping ------------------------------------------------------------------


def shift(period: Period, months: int) -> Period:
    """The same kind of period, ``months`` later (negative: earlier), same style."""
    return replace(period, start=period.start + months)


def _previous_term(period: Period) -> Period:
    year, month0 = divmod(period.start, 12)
    term = next(t for t, s in _TERM_START.items() if s == month0)
    index = _TERMS.index(term)
    if index == 0:
        year, previous = year - 1, _TERMS[-1]
    else:
        previous = _TERMS[index - 1]
    return replace(period, start=year * 12 + _TERM_START[previous], months=_TERM_MONTHS[previous])


_FREQUENCY_WORDS = [
    (Frequency.YTD, r"ytd|year[\s-]*to[\s-]*date|cumulative|cum"),
    (Frequency.MONTHLY, r"month(ly)?|monthly snapshot|m"),
    (Frequency.QUARTERLY, r"quarter(ly)?|qtr(ly)?|q|quarterly snapshot"),
    (Frequency.TERMLY, r"term(ly)?|termly census|census|school term"),
    (Frequency.HALF_YEARLY, r"half[\s-]*year(ly)?|bi-?annual(ly)?|six[\s-]*monthly|6[\s-]*monthly"),
    (
        Frequency.ANNUAL,
        r"annual(ly)?|year(ly)?|a|financial year|academic year|calendar year|"
        r"annual \(.*\)|annually \(.*\)|yearly \(.*\)|every year",
    ),
]


def parse_frequency(text: object) -> Frequency | None:
    """Read a reporting frequency; None when empty. Raises on unknown text."""
    if text is None:
        return None
    if isinstance(text, Frequency):
        return text
    return _frequency(str(text))


@lru_cache(maxsize=1024)
def _frequency(text: str) -> Frequency | None:
    cleaned = re.sub(r"\s+", " ", str(text)).strip().lower().rstrip(".")
    if cleaned in ("", "n/a", "na", "-", "none"):
        return None
    for frequency, pattern in _FREQUENCY_WORDS:
        if re.fullmatch(pattern, cleaned):
            return frequency
    raise PeriodError(
        f"unknown frequency '{str(text).strip()[:60]}' (expected Monthly, Quarter, Term, "
        "Half-yearly, Annual or YTD)"
    )


_YTD_NAME = re.compile(r"year[\s-]to[\s-]date|\bytd\b|cumulative", re.I)


def effective_frequency(frequency: Frequency | None, indicator_name: str) -> Frequency | None:
    """An indicator reported quarterly or monthly whose name says "year to date"
    (or cumulative) compares with the same period a year earlier: YTD."""
    if _YTD_NAME.search(indicator_name or "") and frequency in (None, Frequency.QUARTERLY, Frequency.MONTHLY):
        return Frequency.YTD
    return frequency


def infer_frequency(period: Period) -> Frequency:
    """The natural frequency of a period's own kind."""
    if period.ytd or (period.kind == "month" and period.months > 1):
        # A month range such as Apr-Sep 2022 is a year-to-date figure.
        return Frequency.YTD
    return {
        "month": Frequency.MONTHLY,
        "date": Frequency.MONTHLY,
        "quarter": Frequency.QUARTERLY,
        "half": Frequency.HALF_YEARLY,
        "term": Frequency.TERMLY,
    }.get(period.kind, Frequency.ANNUAL)


def comparable_previous(
    period: Period,
    frequency: Frequency | None = None,
    available: Iterable[Period] | None = None,
) -> Period | None:
    """The period this one should be compared with.

    Quarterly: the quarter before. Termly: the term before. Year to date (or a
    cumulative figure): the same period a year earlier. Annual: the most recent
    earlier period of the same kind that has data, when ``available`` is given
    (exams cancelled between 2018/19 and 2021/22), else a year earlier.
    Returns None for annual data when no earlier period is available.
    """
    if available is None:
        return _step_back(period, period.style, frequency)
    return _comparable_previous(period, frequency, available)


@lru_cache(maxsize=4096)
def _step_back(period: Period, style: _Style, frequency: Frequency | None) -> Period | None:
    # The style is part of the key: equal periods written differently step differently.
    return _comparable_previous(period, frequency, None)


def _comparable_previous(
    period: Period, frequency: Frequency | None, available: Iterable[Period] | None
) -> Period | None:
    frequency = frequency or infer_frequency(period)
    if frequency is Frequency.YTD or period.ytd:
        return shift(period, -12)
    if frequency is Frequency.ANNUAL:
        if available is not None:
            earlier = [
                p for p in available if p.kind == period.kind and p.months == period.months and p < period
            ]
            # Keep the label the data used for that year.
            return max(earlier) if earlier else None
        return shift(period, -12)
    if period.kind == "term":
        return _previous_term(period)
    step = {
        Frequency.MONTHLY: 1,
        Frequency.QUARTERLY: 3,
        Frequency.HALF_YEARLY: 6,
        Frequency.TERMLY: period.months,
    }[frequency]
    # A period longer than its reporting step (a year reported quarterly, a
    # rolling 12 months) moves by the step: that is the previous publication.
    return shift(period, -step)
