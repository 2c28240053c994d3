"""Excel's rounding, for one number (:func:`round_to`) and for whole columns (:func:`round_columns`).

``round_to`` rounds half away from zero at the shown number of decimals by
formatting the number as text (so 2.675 shown to 2 places is 2.68, as Excel
shows it), or to 10 significant digits when the precision is not known. Text
formatting is exact but slow a number at a time; here numpy does the same
arithmetic for a whole column, and the rare number whose scaled value sits
within a few units in the last place of a rounding boundary (where numpy's
multiplication could fall on the other side) goes through ``round_to`` itself.
The answers are the same floats, bit for bit (tests/test_engine.py).
"""

from __future__ import annotations

import numpy as np

__all__ = ["round_to", "round_columns", "UNKNOWN", "max_decimals"]

UNKNOWN = -1  # decimals not known: compare to 10 significant digits
_EXACT = 2.0 ** 52  # beyond this a float has no fractional part to round


def round_to(number: float, decimals: int | None) -> float:
    """Round half away from zero at ``decimals`` places, as Excel displays it (10
    significant digits when ``decimals`` is None); :func:`round_columns` matches it bit for bit."""
    if decimals is None:
        return float(f"{number:.10g}")
    shown = f"{abs(number) + 1e-12 * max(abs(number), 1):.{decimals}f}"
    return -float(shown) if number < 0 else float(shown)


def max_decimals(*decimals: np.ndarray) -> np.ndarray:
    """The finer of several precisions, row by row (UNKNOWN only where all are)."""
    found = decimals[0]
    for more in decimals[1:]:
        found = np.maximum(found, more)
    return found


def round_columns(numbers: object, decimals: object) -> np.ndarray:
    """``round_to(number, decimals)`` for each row; ``decimals`` UNKNOWN (-1) is
    None. NaN stays NaN."""
    with np.errstate(all="ignore"):
        return _round(np.asarray(numbers, dtype=np.float64), decimals)


def _round(x: np.ndarray, decimals: object) -> np.ndarray:
    places = np.broadcast_to(np.asarray(decimals, dtype=np.int64), x.shape)
    out = np.full(x.shape, np.nan)
    finite = np.isfinite(x)
    fixed = finite & (places >= 0)
    if fixed.any():
        out[fixed] = _fixed(x[fixed], places[fixed])
    significant = finite & (places < 0)
    if significant.any():
        out[significant] = _significant(x[significant])
    odd = ~finite & ~np.isnan(x)  # infinities: as round_to says
    for row in np.flatnonzero(odd):
        out[row] = round_to(float(x[row]), None if places[row] < 0 else int(places[row]))
    return out


def _fixed(x: np.ndarray, places: np.ndarray) -> np.ndarray:
    """``f"{abs(x) + 1e-12 * max(abs(x), 1):.{d}f}"``, back to a float, sign restored."""
    magnitude = np.abs(x)
    nudged = magnitude + 1e-12 * np.maximum(magnitude, 1.0)
    scale = 10.0 ** places.astype(np.float64)
    scaled = nudged * scale
    whole = np.rint(scaled)
    result = whole / scale
    result = np.where(x < 0, -result, result)
    risky = _near_half(scaled) | (places > 22)
    for row in np.flatnonzero(risky):
        result[row] = round_to(float(x[row]), int(places[row]))
    return result


def _significant(x: np.ndarray) -> np.ndarray:
    """``float(f"{x:.10g}")``: ten significant digits."""
    result = x.copy()  # 0 and -0.0 stay as they are
    nonzero = x != 0
    magnitude = np.abs(x[nonzero])
    exponent = np.floor(np.log10(magnitude))
    shift = 9 - exponent
    up = shift >= 0
    scaled = np.where(up, x[nonzero] * 10.0 ** np.where(up, shift, 0), x[nonzero] / 10.0 ** np.where(up, 0, -shift))
    whole = np.rint(scaled)
    rounded = np.where(up, whole / 10.0 ** np.where(up, shift, 0), whole * 10.0 ** np.where(up, 0, -shift))
    log = np.log10(magnitude)
    risky = _near_half(np.abs(scaled)) | (np.abs(log - np.rint(log)) < 1e-9) | (np.abs(shift) > 22)
    result[nonzero] = rounded
    rows = np.flatnonzero(nonzero)
    for k in np.flatnonzero(risky):
        result[rows[k]] = round_to(float(x[rows[k]]), None)
    return result


def _near_half(scaled: np.ndarray) -> np.ndarray:
    """Scaled values whose fractional part is too near one half to trust numpy's
    rounding of the multiplication (or too large to have a fraction)."""
    fraction = scaled - np.floor(scaled)
    return (np.abs(fraction - 0.5) <= 8 * np.spacing(scaled)) | (scaled >= _EXACT)
