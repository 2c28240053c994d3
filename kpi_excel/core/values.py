"""Indicator values as councils and DfE write them, read into numbers or reasons.

``"76.00%"`` is 76 percent shown to 2 decimals; ``"3,972"`` a count; ``"3% (420)"``
a rate with its count; ``"-0.07"`` a Progress 8 score; an Excel cell holding
0.776 with a ``0.0%`` number format is 77.6 percent. Percentages are kept in
points (77.6, not 0.776) so gaps read as "points".

DfE suppression codes (``c`` confidential, ``x`` not available, ``z`` not
applicable, ``low`` rounds to zero, ``u`` low reliability), the legacy
``:`` ``~`` ``..`` ``-`` ``*``, small-number suppression ``<5`` and ``N/A``
become a *reason* with no number: a suppressed value is never a zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from kpi_excel.errors import CellError

__all__ = [
    "Value",
    "ValueReadError",
    "Uncalculated",
    "UNCALCULATED_MESSAGE",
    "parse_value",
    "decimals_of_format",
    "is_percent_format",
    "looks_like_formula",
    "format_number",
    "SUPPRESSION_CODES",
    "PERCENT_UNKNOWN_PRECISION",
]

# Beyond 15 significant digits Excel cannot hold a number exactly.
ABSURD = 1e15


class ValueReadError(CellError):
    """A value that is neither a number nor a known code."""


UNCALCULATED_MESSAGE = "formula not calculated: open and save the file in Excel first"


class Uncalculated(str):
    """A formula cell whose result was never saved (the file was written by a tool
    that does not calculate). It is blank text everywhere except to the value
    reader, which says so instead of calling it "no value"."""

    __slots__ = ()

    def __new__(cls) -> "Uncalculated":
        return super().__new__(cls, "")

    def __repr__(self) -> str:
        return "Uncalculated()"

    # Readers tidy text with strip(); the marker must survive that.
    def strip(self, chars: str | None = None) -> "Uncalculated":
        return self

    lstrip = rstrip = strip


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

    @property
    def ok(self) -> bool:
        return self.number is not None

    def display(self) -> str:
        """The value as an officer would write it: ``77.6%``, ``3,972``, ``-0.07``."""
        if self.number is None:
            return self.missing or "no value"
        return format_number(self.number, self.decimals, self.percent)


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
    _check_sane(number, str(number))
    percent = is_percent_format(number_format)
    decimals = decimals_of_format(number_format)
    if percent:
        number = round(number * 100, 12)  # 0.776*100 = 77.60000000000001 otherwise
    if decimals is None:
        decimals = _decimals_of_repr(number)
    return Value(number, percent=percent, decimals=decimals)


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
    for pattern in (_NUMBER, _RATE_WITH_COUNT, _COUNT_WITH_RATE):
        match = pattern.match(text)
        if match:
            return _from_match(match, text)
    match = _BRACKETED_NEGATIVE.match(text)
    if match:
        value = _from_match(match, text)
        return Value(-value.number if value.number else value.number, value.percent, value.decimals)
    raise ValueReadError(f"cannot read '{_clip(text)}' as a number or a suppression code")


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
    return Value(number, percent=bool(groups.get("pct")), decimals=decimals, count=count)


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
    return re.sub(r"\[[^\]]*\]", "", section)


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
