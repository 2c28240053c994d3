"""Confidence intervals and significance tests, the way Fingertips does them.

Every function takes numbers or numpy arrays (they broadcast) and returns numpy
float arrays; a scalar call is a length-1 (or 0-d) call. Where the inputs cannot
give an answer (a missing count, a denominator of 0, a numerator above its
denominator for a proportion) the answer is NaN, never an exception: a column of
a thousand indicators is worked out in one call and the gaps stay gaps.

The methods, as OHID Fingertips and its R package PHEindicatormethods use them:

* **proportions**: Wilson's score interval (``wilson_lower``/``wilson_upper``
  in PHEindicatormethods; Wilson 1927);
* **counts and rates**: Byar's approximation for a count of 10 or more, the
  exact Poisson interval (the chi-square form) below 10, then scaled by the
  denominator for a rate (PHEindicatormethods ``phe_rate``);
* **a change in a proportion**: Newcombe's hybrid score interval for the
  difference of two independent proportions (Newcombe 1998, method 10);
* **a change in a count or rate**: the conditional exact interval for the ratio
  of two Poisson rates (R's ``poisson.test``, ``rateratio.test``: given the two
  counts' total, the first is binomial; its Clopper-Pearson interval becomes an
  interval for the ratio);
* **against a comparator**: Fingertips' rule: similar when the comparator's
  value lies inside the interval, else higher or lower;
* **funnel plots for proportions**: PHE's control limits around the average
  proportion (PHEindicatormethods ``phe_funnels``). Its formula is the score
  test's acceptance region, ``average ± z·sqrt(average·(1-average)/n)``: the
  limits are where an observed proportion's Wilson interval just touches the
  average; where the areas differ by more than chance (overdispersion),
  Spiegelhalter's (2005) limits widen them by the square root of phi, estimated
  from winsorised z-scores.

Levels are 0.95 and 0.998 as Fingertips shows them (95 and 99.8 are accepted
too). The exact intervals invert the regularised incomplete gamma and beta
functions by bisection, written here with numpy so that nothing beyond numpy and
the standard library's :class:`statistics.NormalDist` is needed.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

import numpy as np

__all__ = [
    "LEVEL_95",
    "LEVEL_998",
    "BYARS_FROM",
    "confidence_level",
    "z_for",
    "wilson_interval",
    "byars_interval",
    "exact_poisson_interval",
    "count_interval",
    "rate_interval",
    "newcombe_difference",
    "clopper_pearson_interval",
    "poisson_ratio_interval",
    "compare_with",
    "funnel_limits",
    "funnel_grid",
    "funnel_band",
    "overdispersion",
    "overdispersed",
    "WINSOR",
]

LEVEL_95, LEVEL_998 = 0.95, 0.998
# PHEindicatormethods: Byar's method from a count of 10; the exact method below it.
BYARS_FROM = 10



def confidence_level(level: float | str) -> float:
    """A confidence level as a fraction: 95, "95%", 0.95 → 0.95; 99.8 → 0.998.

    Raises ValueError outside (0.5, 1): a level that small or large is a typo.
    """
    if isinstance(level, str):
        text = level.strip().rstrip("%").strip()
        level = float(text)
    value = float(level)
    if value > 1:
        value /= 100
    if not 0.5 < value < 1:
        raise ValueError(f"a confidence level of {level} is not between 50% and 100%")
    return round(value, 10)


@lru_cache(maxsize=64)
def z_for(level: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95%, 3.090232 for 99.8%."""
    value = confidence_level(level)
    return NormalDist().inv_cdf(value + (1 - value) / 2)


def _floats(*values: object) -> list[np.ndarray]:
    return [np.asarray(v, dtype=np.float64) for v in values]


# --- proportions --------------------------------------------------------------------------


def wilson_interval(x: object, n: object, level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``x`` of ``n``, as proportions (0 to 1).

    A count of 0 gives a lower limit of exactly 0 and a count of ``n`` an upper
    limit of exactly 1. NaN where ``n <= 0``, ``x < 0`` or ``x > n``.
    """
    x, n = _floats(x, n)
    z = z_for(level)
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = (n > 0) & (x >= 0) & (x <= n)
        spread = z * np.sqrt(np.maximum(z2 + 4 * x * (1 - x / n), 0.0))
        low = (2 * x + z2 - spread) / (2 * (n + z2))
        high = (2 * x + z2 + spread) / (2 * (n + z2))
        point = x / n
    low = np.where(valid, np.clip(np.minimum(low, point), 0.0, 1.0), np.nan)
    high = np.where(valid, np.clip(np.maximum(high, point), 0.0, 1.0), np.nan)
    return low, high


def newcombe_difference(x1: object, n1: object, x2: object, n2: object,
                        level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference ``x1/n1 - x2/n2`` with Newcombe's hybrid score interval.

    Returns (difference, low, high) as proportions; the change is significant at
    ``level`` when the interval excludes 0.
    """
    x1, n1, x2, n2 = _floats(x1, n1, x2, n2)
    low1, high1 = wilson_interval(x1, n1, level)
    low2, high2 = wilson_interval(x2, n2, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    difference = np.where(np.isnan(low1) | np.isnan(low2), np.nan, p1 - p2)
    low = difference - np.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = difference + np.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return difference, low, high


# --- counts and rates ---------------------------------------------------------------------


def byars_interval(x: object, level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the Poisson interval for an observed count ``x``.

    Good to 0.2% from a count of 10 (PHE's technical guide); below that use
    :func:`count_interval`. A lower limit Byar's formula makes negative is NaN,
    as in PHEindicatormethods.
    """
    (x,) = _floats(x)
    z = z_for(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        above = x + 1
        high = above * (1 - 1 / (9 * above) + z / (3 * np.sqrt(above))) ** 3
    valid = x >= 0
    low = np.where(x == 0, 0.0, np.where(low < 0, np.nan, low))
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def exact_poisson_interval(x: object, level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray]:
    """The exact Poisson interval for a count: ``qchisq(α/2, 2x)/2`` to ``qchisq(1-α/2, 2x+2)/2``."""
    (x,) = _floats(x)
    alpha = 1 - confidence_level(level)
    low, high = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    valid = x >= 0
    low[valid & (x == 0)] = 0.0
    positive = valid & (x > 0)
    if positive.any():
        start, _ = byars_interval(x[positive], level)
        low[positive] = _gamma_quantile(x[positive], np.full(int(positive.sum()), alpha / 2),
                                        np.where(np.isnan(start), x[positive] / 2, start))
    if valid.any():
        _, start = byars_interval(x[valid], level)
        high[valid] = _gamma_quantile(x[valid] + 1, np.full(int(valid.sum()), 1 - alpha / 2), start)
    return low, high


def count_interval(x: object, level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray]:
    """PHE's interval for a count: exact below 10, Byar's from 10."""
    (x,) = _floats(x)
    low, high = byars_interval(x, level)
    small = x < BYARS_FROM  # False for NaN
    if small.any():
        exact_low, exact_high = exact_poisson_interval(x[small], level)
        low, high = low.copy(), high.copy()
        low[small], high[small] = exact_low, exact_high
    return low, high


def rate_interval(x: object, n: object, multiplier: object = 1.0,
                  level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for the rate ``x / n * multiplier`` (per 1,000, per 10,000...)."""
    x, n, multiplier = _floats(x, n, multiplier)
    low, high = count_interval(x, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(n > 0, multiplier / n, np.nan)
    return low * scale, high * scale


def clopper_pearson_interval(x: object, n: object, level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray]:
    """The exact (Clopper-Pearson) binomial interval for ``x`` of ``n``, as proportions."""
    x, n = np.broadcast_arrays(*_floats(x, n))
    chosen = confidence_level(level)
    if x.size > _KEPT_UP_TO:
        return _clopper_pearson(x, n, chosen)
    low, high = _clopper_pearson_kept(x.tobytes(), n.tobytes(), x.shape, chosen)
    return low.copy(), high.copy()


# Inverting the beta function is most of a refresh's statistics (the Newton steps
# of a few counts bisect for dozens of passes), and a server works out the same
# column click after click. A column is kept whole, not count by count: below
# _SMALL counts the solver runs on Python floats, which round otherwise, so a
# count's limits can differ in the last digit with the column it is solved in.
_KEPT_UP_TO = 10_000  # counts in a column kept (16 columns of 10,000: 5 MB at most)


@lru_cache(maxsize=16)
def _clopper_pearson_kept(x: bytes, n: bytes, shape: tuple[int, ...], level: float) -> tuple[np.ndarray, np.ndarray]:
    low, high = _clopper_pearson(np.frombuffer(x).reshape(shape), np.frombuffer(n).reshape(shape), level)
    low.flags.writeable = high.flags.writeable = False  # shared by every caller: copied out
    return low, high


def _clopper_pearson(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1 - level
    valid = (n > 0) & (x >= 0) & (x <= n)
    low, high = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    wilson_low, wilson_high = wilson_interval(x, n, level)  # close to the exact limits: a good first guess
    low[valid & (x == 0)] = 0.0
    high[valid & (x == n)] = 1.0
    inner = valid & (x > 0)
    if inner.any():
        xs, ns = x[inner], n[inner]
        low[inner] = _beta_quantile(xs, ns - xs + 1, np.full(xs.shape, alpha / 2), wilson_low[inner])
    inner = valid & (x < n)
    if inner.any():
        xs, ns = x[inner], n[inner]
        high[inner] = _beta_quantile(xs + 1, ns - xs, np.full(xs.shape, 1 - alpha / 2), wilson_high[inner])
    return low, high


def poisson_ratio_interval(x1: object, exposure1: object, x2: object, exposure2: object,
                           level: float = LEVEL_95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of two Poisson rates ``(x1/exposure1) / (x2/exposure2)`` with its exact interval.

    Conditional on ``x1 + x2``, ``x1`` is binomial with probability
    ``R·e1 / (R·e1 + e2)``; its Clopper-Pearson interval turns into one for the
    ratio ``R``. A change is significant when the interval excludes 1. Returns
    (ratio, low, high); ``high`` is inf when ``x2`` is 0.
    """
    x1, e1, x2, e2 = _floats(x1, exposure1, x2, exposure2)
    total = x1 + x2
    valid = (e1 > 0) & (e2 > 0) & (x1 >= 0) & (x2 >= 0) & (total > 0)
    p_low, p_high = clopper_pearson_interval(np.where(valid, x1, np.nan), np.where(valid, total, np.nan), level)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = e2 / e1
        ratio = (x1 / e1) / (x2 / e2)
        low = p_low / (1 - p_low) * scale
        high = np.where(p_high >= 1, np.inf, p_high / (1 - p_high) * scale)
    return (np.where(valid, ratio, np.nan), np.where(valid, low, np.nan), np.where(valid, high, np.nan))


# --- comparing with a benchmark -----------------------------------------------------------


def compare_with(low: object, high: object, value: object) -> np.ndarray:
    """Fingertips' comparison: 0 where ``value`` lies inside [low, high] (ends
    included), +1 where the interval is wholly above it, -1 wholly below; NaN
    where anything is missing. Read with the polarity: +1 is better for "high is
    good", worse for "low is good"."""
    low, high, value = _floats(low, high, value)
    result = np.where(value > high, -1.0, np.where(value < low, 1.0, 0.0))
    return np.where(np.isnan(low) | np.isnan(high) | np.isnan(value), np.nan, result)


# --- funnel plots -------------------------------------------------------------------------


def funnel_limits(n: object, average: object, level: float = LEVEL_95,
                  phi: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Control limits for a proportion funnel plot at denominator ``n`` around the
    ``average`` proportion (sum of numerators / sum of denominators), clipped to
    [0, 1]: PHE's limits, which equal ``average ± z·sqrt(average·(1-average)/n)``.
    ``phi`` > 1 widens them by ``sqrt(phi)`` (Spiegelhalter's overdispersed limits)."""
    n, average = _floats(n, average)
    z = z_for(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = z * np.sqrt(max(phi, 1.0) * average * (1 - average) / n)
    valid = (n > 0) & (average >= 0) & (average <= 1)
    low = np.clip(average - half, 0.0, 1.0)
    high = np.clip(average + half, 0.0, 1.0)
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


# Spiegelhalter winsorises the z-scores at these percentiles before estimating phi.
WINSOR = 0.1


def overdispersion(x: object, n: object, average: float) -> float:
    """Spiegelhalter's overdispersion factor phi for proportions ``x/n`` around
    ``average`` (Stat Med 2005;24:1185): the mean square of the z-scores
    ``(x/n - average) / sqrt(average·(1-average)/n)`` after each below the 10th
    percentile is raised to it and each above the 90th lowered to it (percentiles
    by linear interpolation, R's default). 1 when the areas differ only by chance;
    NaN with fewer than two areas."""
    x, n = _floats(x, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (x / n - average) / np.sqrt(average * (1 - average) / n)
    z = z[np.isfinite(z)]
    if z.size < 2:
        return math.nan
    low, high = np.percentile(z, [100 * WINSOR, 100 * (1 - WINSOR)])
    return float(np.mean(np.clip(z, low, high) ** 2))


def overdispersed(phi: float, areas: int, level: float = LEVEL_95) -> bool:
    """Whether ``areas``·phi is beyond the ``level`` quantile of chi-square on
    ``areas`` degrees of freedom: more spread than chance would give."""
    if not areas or phi != phi:
        return False
    return areas * phi > _chi_square_quantile(areas, level)


@lru_cache(maxsize=256)
def _chi_square_quantile(degrees: int, level: float) -> float:
    """The ``level`` quantile of chi-square on ``degrees`` degrees of freedom: solved once a
    process for each (there are ~150 authorities, so a handful of values), not once a funnel."""
    return 2 * float(_gamma_quantile(np.array([degrees / 2]), np.array([confidence_level(level)]))[0])


def funnel_band(x: object, n: object, average: float, phi: float = 1.0) -> np.ndarray:
    """Where each ``x`` of ``n`` falls against the funnel around ``average``:
    -2 below the 99.8% limit, -1 below the 95% one, 0 inside, +1 above 95%, +2
    above 99.8% (PHEindicatormethods ``phe_funnel_significance``); NaN if missing."""
    x, n = _floats(x, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        point = x / n
    low95, high95 = funnel_limits(n, average, LEVEL_95, phi)
    low998, high998 = funnel_limits(n, average, LEVEL_998, phi)
    band = np.where(point < low998, -2.0, np.where(point < low95, -1.0, np.where(
        point > high998, 2.0, np.where(point > high95, 1.0, 0.0))))
    return np.where(np.isnan(point) | np.isnan(low95), np.nan, band)


def funnel_grid(smallest: float, largest: float, points: int = 100) -> np.ndarray:
    """Denominators to draw funnel limits at, as PHEindicatormethods lays them out:
    from 1 (or just below the smallest when the denominators are within a factor
    of two) to a round number above the largest, spaced evenly on a log scale."""
    if not largest > 0:
        return np.array([1.0])
    if largest > 2 * smallest:
        start = 0.0
    else:
        start = _round_down(smallest)
    end = _round_up(largest)
    grid = [max(1.0, start)]
    for j in range(2, points + 1):
        previous = grid[-1]
        step = round((end / previous) ** (1 / (points + 1 - j)) * previous)
        grid.append(float(max(step, previous + 1)))
    return np.array(grid)


def _round_down(value: float, share: float = 0.95) -> float:
    scaled = math.floor(value * share)
    if scaled <= 0:
        return 0.0
    power = 10 ** (len(str(scaled)) - 1)
    return float(math.floor(value * share / power) * power)


def _round_up(value: float, share: float = 1.05) -> float:
    scaled = math.ceil(value * share)
    power = 10 ** max(len(str(scaled)) - 2, 0)
    return float(math.ceil(value * share / power) * power)


# --- special functions (numpy, vectorised) ------------------------------------------------

_LANCZOS = np.array([
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
])
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)
_TINY = 1e-300
_EPSILON = 1e-15


def _lgamma(x: np.ndarray) -> np.ndarray:
    """log Γ(x) for x > 0 (Lanczos, g = 7): within 1e-14 of math.lgamma."""
    x = np.asarray(x, dtype=np.float64)
    small = x < 0.5
    y = np.where(small, 1 - x, x) - 1
    series = np.full_like(y, _LANCZOS[0])
    for i in range(1, len(_LANCZOS)):
        series = series + _LANCZOS[i] / (y + i)
    t = y + 7.5
    result = _HALF_LOG_TWO_PI + (y + 0.5) * np.log(t) - t + np.log(series)
    with np.errstate(divide="ignore"):
        reflected = np.log(np.pi / np.abs(np.sin(np.pi * x))) - result
    return np.where(small, reflected, result)


def _lentz_step(an: np.ndarray, bn: np.ndarray | int, c: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One term ``an / (bn + ...)`` of a continued fraction by Lentz's method: the new ``c`` and
    ``d``, each kept off zero (the fraction's value is multiplied by ``d * c``)."""
    d = an * d + bn
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    c = bn + an / c
    c = np.where(np.abs(c) < _TINY, _TINY, c)
    return c, 1 / d


def _gamma_p(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Regularised lower incomplete gamma P(a, x), a > 0, x >= 0."""
    a, x = np.broadcast_arrays(np.asarray(a, float), np.asarray(x, float))
    out = np.zeros(a.shape)
    positive = x > 0
    use_series = positive & (x < a + 1)
    use_fraction = positive & ~use_series
    log_front = np.where(positive, -x + a * np.log(np.where(positive, x, 1.0)) - _lgamma(a), 0.0)
    if use_series.any():
        aa, xx = a[use_series], x[use_series]
        term = 1.0 / aa
        total = term.copy()
        denominator = aa.copy()
        for _ in range(100000):
            denominator = denominator + 1
            term = term * xx / denominator
            total = total + term
            if np.all(np.abs(term) < np.abs(total) * _EPSILON):
                break
        out[use_series] = total * np.exp(log_front[use_series])
    if use_fraction.any():
        aa, xx = a[use_fraction], x[use_fraction]
        # Lentz's continued fraction for Q(a, x).
        b = xx + 1 - aa
        c = np.full_like(b, 1 / _TINY)
        d = 1 / b
        h = d.copy()
        for i in range(1, 100000):
            an = -i * (i - aa)
            b = b + 2
            c, d = _lentz_step(an, b, c, d)
            delta = d * c
            h = h * delta
            if np.all(np.abs(delta - 1) < _EPSILON):
                break
        out[use_fraction] = 1 - np.exp(log_front[use_fraction]) * h
    return np.clip(out, 0.0, 1.0)


# Below this many elements the continued fractions run on Python floats: a
# scalar call would otherwise pay numpy's per-call overhead hundreds of times.
_SMALL = 8


def _beta_fraction(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of the incomplete beta function (Lentz); elements
    leave the loop as they converge, so one slow element does not hold up the rest."""
    if a.size <= _SMALL:
        return np.array([_beta_fraction_one(float(p), float(q), float(r)) for p, q, r in zip(a, b, x)])
    out = np.empty(a.shape)
    active = np.arange(a.size)
    a, b, x = a.copy(), b.copy(), x.copy()
    qab, qap, qam = a + b, a + 1, a - 1
    c = np.ones_like(x)
    d = 1 - qab * x / qap
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    d = 1 / d
    h = d.copy()
    for m in range(1, 100000):
        m2 = 2 * m
        c, d = _lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), 1, c, d)
        h = h * d * c
        c, d = _lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), 1, c, d)
        delta = d * c
        h = h * delta
        done = np.abs(delta - 1) < _EPSILON
        if done.any():
            out[active[done]] = h[done]
            keep = ~done
            if not keep.any():
                break
            active = active[keep]
            a, b, x, qab, qap, qam, c, d, h = (v[keep] for v in (a, b, x, qab, qap, qam, c, d, h))
    return out


def _beta_fraction_one(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) >= _TINY else _TINY)
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) >= _TINY else _TINY)
            c = 1 + aa / c
            c = c if abs(c) >= _TINY else _TINY
            delta = d * c
            h *= delta
        if abs(delta - 1) < _EPSILON:
            break
    return h


def _beta_i(a: np.ndarray, b: np.ndarray, x: np.ndarray, log_beta: np.ndarray) -> np.ndarray:
    """Regularised incomplete beta I_x(a, b); ``log_beta`` = log B(a, b), worked out once."""
    inside = (x > 0) & (x < 1)
    xs = np.where(inside, x, 0.5)
    log_front = a * np.log(xs) + b * np.log1p(-xs) - log_beta
    direct = xs < (a + 1) / (a + b + 2)
    out = np.empty_like(xs)
    if direct.any():
        out[direct] = np.exp(log_front[direct]) * _beta_fraction(a[direct], b[direct], xs[direct]) / a[direct]
    flipped = ~direct
    if flipped.any():
        out[flipped] = 1 - np.exp(log_front[flipped]) * _beta_fraction(b[flipped], a[flipped], 1 - xs[flipped]) \
            / b[flipped]
    out = np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, out))
    return np.clip(out, 0.0, 1.0)


def _solve(cdf, log_density, p: np.ndarray, low: np.ndarray, high: np.ndarray, start: np.ndarray) -> np.ndarray:
    """x in [low, high] with cdf(i, x) = p[i]: Newton steps, falling back to
    bisection whenever a step would leave the bracket (so it always converges).
    ``cdf`` and ``log_density`` take the indices still being solved and their x."""
    low, high = low.astype(float).copy(), high.astype(float).copy()
    x = np.clip(np.asarray(start, float), low, high)
    x = np.where((x <= low) | (x >= high), (low + high) / 2, x)
    active = np.arange(x.size)
    for _ in range(400):
        xa = x[active]
        f = cdf(active, xa) - p[active]
        below = f < 0
        lo = np.where(below, xa, low[active])
        hi = np.where(below, high[active], xa)
        low[active], high[active] = lo, hi
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            candidate = xa - f / np.exp(log_density(active, xa))
        outside = ~np.isfinite(candidate) | (candidate <= lo) | (candidate >= hi)
        new = np.where(outside, (lo + hi) / 2, candidate)
        done = (np.abs(new - xa) <= np.abs(new) * 1e-14) | (hi - lo <= np.abs(hi) * 4e-16) | (f == 0)
        x[active] = np.where(f == 0, xa, new)
        active = active[~done]
        if active.size == 0:
            break
    return x


def _gamma_quantile(shape: np.ndarray, p: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """x with P(shape, x) = p (shape > 0, 0 < p < 1); ``start`` is a first guess."""
    shape, p = (np.asarray(v, float).copy() for v in np.broadcast_arrays(shape, p))
    high = shape + 10 * np.sqrt(shape) + 50
    for _ in range(64):  # widen until the top is past the quantile
        short = _gamma_p(shape, high) < p
        if not short.any():
            break
        high = np.where(short, high * 2, high)
    log_gamma = _lgamma(shape)

    def log_density(i: np.ndarray, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return (shape[i] - 1) * np.log(x) - x - log_gamma[i]

    guess = shape.copy() if start is None else np.asarray(start, float)
    return _solve(lambda i, x: _gamma_p(shape[i], x), log_density, p, np.zeros(shape.shape), high, guess)


def _beta_quantile(a: np.ndarray, b: np.ndarray, p: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """x in [0, 1] with I_x(a, b) = p; ``start`` is a first guess."""
    a, b, p = (np.asarray(v, float).copy() for v in np.broadcast_arrays(a, b, p))
    log_beta = _lgamma(a) + _lgamma(b) - _lgamma(a + b)

    def log_density(i: np.ndarray, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a[i] - 1) * np.log(x) + (b[i] - 1) * np.log1p(-x) - log_beta[i]

    guess = a / (a + b) if start is None else np.asarray(start, float)
    return _solve(lambda i, x: _beta_i(a[i], b[i], x, log_beta[i]), log_density, p, np.zeros(a.shape),
                  np.ones(a.shape), guess)
