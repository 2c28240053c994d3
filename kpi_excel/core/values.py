"""Indicator values as councils and DfE write them, read into numbers or reasons.

``"76.00%"`` is 76 percent shown to 2 decimals; ``"3,972"`` a count; ``"3% (420)"``
a rate with its count; ``"-0.07"`` a Progress 8 score; an Excel cell holding
0.776 with a ``0.0%`` number format is 77.6 percent. Percentages are kept in
points (77.6, not 0.776) so gaps read as "points".

DfE suppression codes (``c`` confidential, ``x`` not available, ``z`` not
applicable, ``low`` rounds to zero, ``u`` low reliability), the legacy
``:`` ``~`` ``..`` ``-`` ``*``, small-number suppression ``<5`` and ``N/A``
become a *reason* with no number: a suppressed value is never a zero.

Values as councils publish them are read too, and keep their original text
(``Value.text``) so a reason quotes what the officer wrote:

* money and thousands: ``£1.2m`` (1,200,000), ``£350k``, ``1.2k``, ``£1.1bn``;
* a unit after the number: ``3 days``, ``10 working days`` (unit kept);
* ``95.3 per cent`` (a percentage), ``1 in 5`` (20%), ``nil`` (0);
* a note or footnote marker: ``10 (provisional)`` (10, note "provisional"),
  ``95.3%*`` (95.3%, note "footnote *");
* censored values ``<0.1%`` and ``>99%``: a *bound* (``Value.bound`` is ``<``
  or ``>``), compared as such, never as the number itself. ``<5`` with no
  decimal point or % sign stays small-number suppression, as DfE and the NHS
  write it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from functools import lru_cache

from kpi_excel.ooxml.brackets import drop_between
from kpi_excel.ooxml.cell_content import Uncalculated
from kpi_excel.errors import CellError

__all__ = [
    "Value",
    "ValueReadError",
    "UNCALCULATED_MESSAGE",
    "parse_value",
    "decimals_of_format",
    "is_percent_format",
    "looks_like_formula",
    "format_number",
    "SUPPRESSION_CODES",
    "PERCENT_UNKNOWN_PRECISION",
    "SMALL_NUMBER",
]

# Beyond 15 significant digits Excel cannot hold a number exactly.
ABSURD = 1e15


class ValueReadError(CellError):
    """A value that is neither a number nor a known code."""


UNCALCULATED_MESSAGE = "formula not calculated: open and save the file in Excel first"


SUPPRESSION_CODES: dict[str, str] = {
    "c": "confidential (c)",
    "x": "not available (x)",
    "z": "not applicable (z)",
    "low": "rounds to zero but is not zero (low)",
    "u": "low reliability (u)",
    ":": "not available (:)",
    "~": "fewer than 5, or rounds to zero (~)",
    "..": "not available (..)",
    "-": "not available (-)",
    "*": "suppressed (*)",
    "n/a": "not applicable (N/A)",
    "na": "not applicable (NA)",
    "#n/a": "not available (#N/A)",
    "not available": "not available",
    "not applicable": "not applicable",
    "tbc": "to be confirmed (TBC)",
    "dns": "data not submitted (DNS)",
    "no data": "no data",
    "nd": "no data (ND)",
}

_EXCEL_ERRORS = {"#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!", "#calc!", "#spill!", "#getting_data"}

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(rf"^(?P<sign>[+-]?)\s*(?P<cur>[£$€])?\s*(?P<num>{_NUM})\s*(?P<pct>%)?$")
_BRACKETED_NEGATIVE = re.compile(rf"^\(\s*(?P<cur>[£$€])?(?P<num>{_NUM})\s*(?P<pct>%)?\s*\)$")
_RATE_WITH_COUNT = re.compile(
    rf"^(?P<sign>[+-]?)(?P<num>{_NUM})\s*(?P<pct>%)\s*\(\s*(?:n\s*=\s*)?(?P<count>{_NUM})\s*\)$", re.I
)
_COUNT_WITH_RATE = re.compile(rf"^(?P<count>{_NUM})\s*\(\s*(?P<sign>[+-]?)(?P<num>{_NUM})\s*(?P<pct>%)\s*\)$")
_SMALL_NUMBER = re.compile(r"^<\s*\d{1,2}$")
SMALL_NUMBER = _SMALL_NUMBER  # "<5": suppressed, not a bound
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_SCALED = re.compile(
    rf"^(?P<sign>[+-]?)\s*(?P<cur>[£$€])?\s*(?P<num>{_NUM})\s*(?P<mult>k|m|mn|bn|thousand|million|billion)$", re.I
)
_PER_CENT = re.compile(r"\s*(?:per\s*cent|percent|pct)$", re.I)
_ONE_IN = re.compile(r"^(?P<one>\d+)\s+in\s+(?P<many>\d+(?:\.\d+)?)$", re.I)
_BOUND = re.compile(r"^(?P<op><=|>=|≤|≥|<|>)\s*(?P<rest>\S.*)$")
_FOOTNOTE = re.compile(r"^(?P<rest>.*?[^\s*†‡^])\s*(?P<mark>\*+|†+|‡+|\^|[¹²³⁴⁵⁶⁷⁸⁹]+|\[[\da-z]{1,3}\])$", re.I)
_NOTE = re.compile(r"^(?P<rest>.*?\S)\s*[(\[](?P<note>[^()\[\]]*[A-Za-z][^()\[\]]*)[)\]]$")
_UNIT = re.compile(rf"^(?P<sign>[+-]?)\s*(?P<num>{_NUM})\s*(?P<pct>%)?\s+(?P<unit>[A-Za-z][A-Za-z/ .'-]{{0,29}})$")
_WORD_ZERO = {"nil", "zero", "none recorded"}
# Words after a number that make it a target or a comparison, not a unit.
_NOT_A_UNIT = re.compile(r"\b(or|and|to|than|above|below|less|more|fewer|over|under|plus|minus|between|"
                         r"better|worse|higher|lower|greater|at|least|most|up|max|min|target|in)\b", re.I)


@dataclass(frozen=True)
class Value:
    """A value read from a cell: a number, or the reason there is none.

    ``decimals`` is the precision it was shown with (None: not known, compare
    in full). ``count`` is the count of a "rate (count)" cell.
    """

    number: float | None
    percent: bool = False
    decimals: int | None = None
    count: float | None = None
    missing: str | None = None
    # How a published value was written, when it was more than a number:
    note: str | None = None  # "provisional", "footnote *"
    bound: str | None = None  # "<" or ">": the true value is below/above ``number``
    text: str | None = None  # the original text ("£1.2m", "<0.1%"), kept beside the number
    unit: str | None = None  # "£", "days": said again in reasons

    @property
    def ok(self) -> bool:
        return self.number is not None

    def display(self) -> str:
        """The value as an officer wrote it: ``77.6%``, ``3,972``, ``-0.07``, ``£1.2m``."""
        if self.number is None:
            return self.missing or "no value"
        if self.text:
            return self.text
        return format_number(self.number, self.decimals, self.percent)

    def number_text(self) -> str:
        """The number alone at its precision (``1,200,000`` for ``£1.2m``)."""
        if self.number is None:
            return self.display()
        shown = format_number(self.number, self.decimals, self.percent)
        return f"£{shown}" if self.unit == "£" else shown

    def how_read(self) -> str | None:
        """What a rewritten value was read as, for a Checks note; None when plain."""
        if self.number is None or not self.text:
            return None
        parts = []
        if self.bound:
            parts.append(f"{'below' if self.bound == '<' else 'above'} {self.number_text()} (a bound, not a value)")
        else:
            parts.append(self.number_text())
        if self.note:
            parts.append(f"note: {self.note}")
        return f"'{self.text}' read as " + ", ".join(parts)


def format_number(number: float, decimals: int | None, percent: bool = False) -> str:
    """Format with thousands separators at the given precision (or up to 4 places)."""
    if decimals is None:
        text = f"{number:,.4f}".rstrip("0").rstrip(".")
    else:
        text = f"{number:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "").replace("-", "") or 0) == 0:
        text = text[1:]  # no "-0.0"
    return text + ("%" if percent else "")


def looks_like_formula(text: object) -> bool:
    """True for text Excel would run as a formula if typed or pasted into a cell."""
    if not isinstance(text, str) or not text:
        return False
    first = text[0]
    if first == "=":
        return True
    if first in "+-@":
        return not _NUMBER.match(text.strip()) and len(text.strip()) > 1
    return False


def parse_value(raw: object, number_format: str | None = None) -> Value:
    """Read a cell into a :class:`Value`.

    ``number_format`` is the Excel number format of the cell, when it came from a
    workbook: a number shown as a percentage is turned into points.
    Raises :class:`ValueReadError` for text that is neither a number nor a code,
    and for absurd numbers (not finite, or beyond 15 digits).
    """
    if raw.__class__ is float:  # the usual cell: checked first
        return _from_number(raw, number_format)  # type: ignore[arg-type]
    if raw is None:
        return Value(None, missing="no value")
    if isinstance(raw, Uncalculated):
        raise ValueReadError(UNCALCULATED_MESSAGE)
    if isinstance(raw, bool):
        raise ValueReadError(f"'{raw}' is a true/false value, not a number")
    if isinstance(raw, (int, float)):
        return _from_number(float(raw), number_format)
    if not isinstance(raw, str):
        raise ValueReadError(f"'{raw}' is not a number")
    return _from_text(raw)


def _from_number(number: float, number_format: str | None) -> Value:
    if not -ABSURD < number < ABSURD:  # not finite (NaN compares false), or absurd
        _check_sane(number, str(number))
    percent, decimals = _format_reading(number_format)
    if percent:
        number = round(number * 100, 12)  # 0.776*100 = 77.60000000000001 otherwise
    if decimals is None:
        decimals = _decimals_of_repr(number)
    return _number_value(number, percent, decimals)


@lru_cache(maxsize=1024)
def _format_reading(number_format: str | None) -> tuple[bool, int | None]:
    """(:func:`is_percent_format`, :func:`decimals_of_format`) in one look-up."""
    return is_percent_format(number_format), decimals_of_format(number_format)


_VALUE_DEFAULTS = {item.name: item.default for item in fields(Value)}


def _number_value(number: float, percent: bool, decimals: int | None, count: float | None = None,
                  unit: str | None = None) -> Value:
    """``Value(number, percent=percent, decimals=decimals, count=count, unit=unit)``, made
    without the frozen dataclass's nine guarded assignments (a third of reading a number, and
    a Data sheet has thousands of distinct numbers); equal field for field."""
    value = object.__new__(Value)
    attributes = value.__dict__
    attributes.update(_VALUE_DEFAULTS)
    attributes["number"], attributes["percent"], attributes["decimals"] = number, percent, decimals
    if count is not None or unit is not None:
        attributes["count"], attributes["unit"] = count, unit
    return value


@lru_cache(maxsize=65536)
def _from_text(raw: str) -> Value:
    text = raw.replace("\u2212", "-").replace("\u00a0", " ").replace("\u2013", "-").replace("\u2014", "-").strip()
    if len(text) > 100:
        raise ValueReadError(f"a {len(raw):,}-character text is not a value")
    if text == "":
        return Value(None, missing="no value")
    lowered = text.lower()
    if lowered in SUPPRESSION_CODES:
        return Value(None, missing=SUPPRESSION_CODES[lowered])
    if lowered in _EXCEL_ERRORS:
        return Value(None, missing=f"Excel error {text.upper()}")
    if _SMALL_NUMBER.match(text):
        return Value(None, missing=f"suppressed small number ({text})")
    if looks_like_formula(text):
        raise ValueReadError(f"'{_clip(text)}' looks like a formula, not a value; kept as text")
    plain = _plain(text)
    if plain is not None:
        return plain
    published = _published(text)
    if published is not None:
        return published
    raise ValueReadError(f"cannot read '{_clip(text)}' as a number or a suppression code")


def _plain(text: str) -> Value | None:
    """A number as DfE and the seeds write it, or None."""
    for pattern in (_NUMBER, _RATE_WITH_COUNT, _COUNT_WITH_RATE):
        match = pattern.match(text)
        if match:
            return _from_match(match, text)
    match = _BRACKETED_NEGATIVE.match(text)
    if match:
        value = _from_match(match, text)
        return Value(-value.number if value.number else value.number, value.percent, value.decimals)
    return None


def _published(text: str) -> Value | None:
    """A value as a council publishes it (see the module notes), keeping ``text``;
    None when it is not one of those forms."""
    note = None
    core = text
    match = _FOOTNOTE.match(core)
    if match:
        core, note = match["rest"].strip(), f"footnote {match['mark']}"
    match = _NOTE.match(core)
    if match and _count_letters(match["note"]) and not _PER_CENT.search(core):
        core = match["rest"].strip()
        note = match["note"].strip() + (f"; {note}" if note else "")
    if core != text and core.lower() in SUPPRESSION_CODES:
        return Value(None, missing=SUPPRESSION_CODES[core.lower()] + (f", {note}" if note else ""))
    bound = None
    match = _BOUND.match(core)
    if match:
        rest = match["rest"].strip()
        if _SMALL_NUMBER.match(core.replace("≤", "<").replace("<=", "<")):
            return Value(None, missing=f"suppressed small number ({core})")
        bound = "<" if match["op"] in ("<", "<=", "≤") else ">"
        core = rest
    value = _plain(core) or _worded(core)
    if value is None or value.number is None or value.count is not None:
        return None
    return Value(value.number, value.percent, value.decimals, None, None, note, bound, text, value.unit)


def _count_letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def _worded(core: str) -> Value | None:
    """``£1.2m``, ``95.3 per cent``, ``1 in 5``, ``nil``, ``3 days``; None otherwise."""
    lowered = core.lower()
    if lowered in _WORD_ZERO:
        return Value(0.0, decimals=0)
    if _PER_CENT.search(core):
        value = _plain(_PER_CENT.sub("", core).strip())
        if value is not None and not value.percent:
            return Value(value.number, True, value.decimals)
        return None
    match = _ONE_IN.match(core)
    if match:
        many = float(match["many"])
        if many <= 0 or int(match["one"]) > many:
            return None
        number = 100 * int(match["one"]) / many
        return Value(number, True, _decimals_of_repr(round(number, 6)))
    match = _SCALED.match(core)
    if match:
        digits = match["num"].replace(",", "")
        factor = _MULTIPLIERS[match["mult"].lower()]
        number = float(digits) * factor * (-1 if match["sign"] == "-" else 1)
        _check_sane(number, core)
        places = len(digits.split(".")[1]) if "." in digits else 0
        decimals = max(places - (len(str(int(factor))) - 1), 0)
        return Value(number, decimals=decimals, unit="£" if match["cur"] == "£" else match["cur"])
    match = _UNIT.match(core)
    if match and match["unit"].strip().lower() not in _MULTIPLIERS and not _NOT_A_UNIT.search(match["unit"]):
        value = _plain(f"{match['sign']}{match['num']}{match['pct'] or ''}")
        if value is None:
            return None
        return Value(value.number, value.percent, value.decimals, unit=match["unit"].strip())
    return None


def _from_match(match: re.Match[str], text: str) -> Value:
    groups = match.groupdict()
    digits = groups["num"].replace(",", "")
    number = float(digits)
    if groups.get("sign") == "-":
        number = -number
    _check_sane(number, text)
    count = None
    if groups.get("count"):
        count = float(groups["count"].replace(",", ""))
    mantissa = digits.lower().split("e")[0]
    decimals: int | None = len(mantissa.split(".")[1]) if "." in mantissa else 0
    if "e" in digits.lower() or (decimals is not None and decimals > 6):
        # "9.3699999999999992" or "7.0000000000000007E-2": float noise, not a
        # precision anyone chose; compare such values in full.
        decimals = None
    unit = "£" if groups.get("cur") == "£" else None
    return _number_value(number, bool(groups.get("pct")), decimals, count, unit)


def _check_sane(number: float, text: str) -> None:
    if not math.isfinite(number) or abs(number) >= ABSURD:
        raise ValueReadError(f"'{_clip(text)}' is an absurd number for an indicator")


def _decimals_of_repr(number: float) -> int | None:
    text = repr(number)
    if "e" in text or "inf" in text or "nan" in text:
        return None
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return decimals if decimals <= 6 else None


def _clip(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _first_section(number_format: str) -> str:
    """The positive-number section of a format, without quoted literals."""
    section = number_format.split(";")[0]
    section = re.sub(r'"[^"]*"', "", section)
    section = re.sub(r"\\.", "", section)
    return drop_between(section, "[", "]")  # as re.sub(r"\[[^\]]*\]", ...), which is quadratic on "[[[["


# The format to pass for a number known to be a percentage (from a "Unit: %"
# column) when its own number format is not known, as through Excel on the web.
PERCENT_UNKNOWN_PRECISION = "%"


@lru_cache(maxsize=1024)
def is_percent_format(number_format: str | None) -> bool:
    """True when Excel shows the cell multiplied by 100 with a % sign."""
    return bool(number_format) and "%" in _first_section(number_format)  # type: ignore[arg-type]


@lru_cache(maxsize=1024)
def decimals_of_format(number_format: str | None) -> int | None:
    """Decimal places a number format shows; None for General or no format."""
    if not number_format or number_format.lower() == "general":
        return None
    section = _first_section(number_format)
    if not re.search(r"[0#?]", section):
        return None
    if "." not in section:
        return 0
    after = section.split(".", 1)[1]
    return len(re.match(r"[0#?]*", after).group(0))  # type: ignore[union-attr]
