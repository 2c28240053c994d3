"""DfE LAIT's own rules for its files, as its R code applies them.

* Values: ``-``, ``c``, ``..`` and empty are missing; everything else goes
  through R's ``as.numeric`` (text that is not a number is missing too, with R
  warning; here it is also reported, row by row).
* Authorities are the areas whose ``LA Number`` is below 970; England is 970 and
  the regions 980-990.
* Data dictionary: ``Measure_short`` (trimmed) joins ``Short Desc``; ``dps``
  missing means 1; ``No_Quartile = N`` means no quartile band is shown.
  The dictionary lists a few short names twice (one indicator under two topics)
  and two of them disagree on ``No_Quartile`` and ``dps``; LAIT keys those by
  the long ``Measure`` name, so each page differs. Here an indicator is its
  short name, and its *first* dictionary row decides, as LAIT's own
  ``!duplicated()`` de-duplication does. Rows whose ``Table_status`` contains
  ``DISCONTINUE`` are left out, as LAIT does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "LAIT_MISSING",
    "LAIT_COLUMNS",
    "lait_numbers",
    "lait_dictionary",
    "is_lait_frame",
]

LAIT_MISSING = ("-", "c", "..")
# LAIT's column → our observation column.
LAIT_COLUMNS = {"Short Desc": "code", "LA and Regions": "area", "Years": "period", "Values": "value"}
_R_NUMBER = r"^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|Inf|inf|NaN)\s*$"


def is_lait_frame(columns: object) -> bool:
    """True when a table has LAIT's long-format headers."""
    names = {str(c).strip() for c in columns}  # type: ignore[union-attr]
    return {"Short Desc", "LA and Regions", "Years", "Values"} <= names


def lait_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values text → (float64 array with NaN for missing, mask of text that R
    would turn into NA with a warning: neither a number nor a missing code)."""
    text = values.astype("string")
    missing = text.isna() | text.isin(LAIT_MISSING) | (text.str.strip() == "")
    numbers = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    unreadable = np.isnan(numbers) & ~missing.to_numpy(dtype=bool, na_value=True)
    if unreadable.any():
        # R reads "NaN", "Inf" and hexadecimal too; pandas does not read hex.
        odd = text[unreadable]
        readable = odd.str.match(_R_NUMBER, na=False)
        for index in odd.index[readable.to_numpy(dtype=bool)]:
            position = values.index.get_loc(index)
            numbers[position] = _r_as_numeric(str(text.loc[index]))
        unreadable = np.isnan(numbers) & ~missing.to_numpy(dtype=bool, na_value=True)
        unreadable &= ~text.str.strip().str.lower().isin(["nan"]).to_numpy(dtype=bool, na_value=False)
    return numbers, unreadable


def _r_as_numeric(text: str) -> float:
    text = text.strip()
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    if body.lower().startswith("0x"):
        return sign * float(int(body, 16))
    return float(text)  # "Inf", "NaN"


def lait_dictionary(frame: pd.DataFrame) -> pd.DataFrame:
    """A LAIT data dictionary (or any table with code/polarity columns) as an
    indicator table indexed by code: ``name, polarity, no_quartile, dps``.

    ``polarity`` keeps LAIT's words ``High`` / ``Low`` (anything else means no
    direction); the first row of a repeated code decides.
    """
    columns = {_key(c): c for c in frame.columns}
    code = columns.get("measureshort") or columns.get("shortdesc") or columns.get("code") or columns.get("indicator")
    if code is None:
        raise KeyError("Measure_short")
    out = pd.DataFrame({"code": frame[code].astype(str).str.strip()})
    name = columns.get("measure") or columns.get("indicatorname") or columns.get("name")
    out["name"] = frame[name].astype(str).to_numpy(object) if name else ""
    polarity = columns.get("polarity")
    out["polarity"] = frame[polarity].map(_polarity_word).to_numpy(object) if polarity else ""
    no_q = columns.get("noquartile")
    out["no_quartile"] = (frame[no_q].astype(str).str.strip().str.upper() == "N").to_numpy() if no_q else False
    dps = columns.get("dps") or columns.get("decimals") or columns.get("decimalplaces")
    out["dps"] = pd.to_numeric(frame[dps], errors="coerce").fillna(1).astype(int).to_numpy() if dps else 1
    status = columns.get("tablestatus")
    if status:  # LAIT leaves out measures whose status says DISCONTINUE (in capitals)
        out = out[~frame[status].astype(str).str.contains("DISCONTINUE", regex=False).to_numpy()]
    out = out[out["code"] != ""]
    return out.drop_duplicates("code", keep="first").set_index("code")


def _key(header: object) -> str:
    return "".join(ch for ch in str(header).lower() if ch.isalnum())


def _polarity_word(raw: object) -> str:
    """LAIT's High/Low as is; our spellings (``High = Good``, ``L``) mapped to them."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return ""
    text = str(raw).strip()
    if text in ("High", "Low"):
        return text
    from kpi_excel.core.polarity import Polarity, PolarityError, parse_polarity

    try:
        polarity = parse_polarity(text)
    except PolarityError:
        return ""
    return {Polarity.HIGH: "High", Polarity.LOW: "Low"}.get(polarity, "")
