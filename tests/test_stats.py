"""The statistics, checked against published numbers (tests/cases/stats, each row cites its
source) and against the properties any interval must have."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kpi_excel.core import stats
from kpi_excel.core.polarity import parse_polarity
from kpi_excel.core.significance import judge, versus_word

CASES = Path(__file__).parent / "cases" / "stats"


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader((CASES / name).open(encoding="utf-8")))


def _close(got: float, expected: str, tolerance: str) -> bool:
    if expected == "":
        return math.isnan(got)
    return abs(got - float(expected)) <= float(tolerance) * max(1.0, abs(float(expected)))


INTERVALS = _rows("interval_cases.csv")


@pytest.mark.parametrize("case", INTERVALS, ids=[c["case"] for c in INTERVALS])
def test_interval_case(case: dict[str, str]) -> None:
    level = stats.confidence_level(case["level"])
    x = float(case["x"])
    if case["method"] == "wilson":
        low, high = stats.wilson_interval(x, float(case["n"]), level)
        low, high = low * float(case["multiplier"]), high * float(case["multiplier"])
    elif case["method"] == "byars":
        low, high = stats.byars_interval(x, level)
    else:
        low, high = stats.rate_interval(x, float(case["n"]), float(case["multiplier"]), level)
    assert _close(float(low), case["lower"], case["tolerance"]), (float(low), case["lower"])
    assert _close(float(high), case["upper"], case["tolerance"]), (float(high), case["upper"])


DIFFERENCES = _rows("difference_cases.csv")


@pytest.mark.parametrize("case", DIFFERENCES, ids=[c["case"] for c in DIFFERENCES])
def test_newcombe_case(case: dict[str, str]) -> None:
    difference, low, high = stats.newcombe_difference(
        float(case["x1"]), float(case["n1"]), float(case["x2"]), float(case["n2"]), stats.confidence_level(case["level"]))
    assert _close(float(difference), case["difference"], "1e-12")
    assert _close(float(low), case["lower"], case["tolerance"])
    assert _close(float(high), case["upper"], case["tolerance"])
    assert ((low > 0) | (high < 0)) == (case["significant"] == "yes")


RATIOS = _rows("ratio_cases.csv")


@pytest.mark.parametrize("case", RATIOS, ids=[c["case"] for c in RATIOS])
def test_poisson_ratio_case(case: dict[str, str]) -> None:
    ratio, low, high = stats.poisson_ratio_interval(
        float(case["x1"]), float(case["exposure1"]), float(case["x2"]), float(case["exposure2"]),
        stats.confidence_level(case["level"]))
    assert _close(float(ratio), case["ratio"], case["tolerance"])
    assert _close(float(low), case["lower"], case["tolerance"])
    assert _close(float(high), case["upper"], case["tolerance"])
    assert ((low > 1) | (high < 1)) == (case["significant"] == "yes")


FUNNEL = _rows("funnel_limits.csv")
# testdata_funnel_prop_inputs.csv (PHEindicatormethods@093fd28): smallest and largest denominators.
FUNNEL_SMALLEST, FUNNEL_LARGEST = 16386, 102950


def test_funnel_limits_match_phe_to_published_precision() -> None:
    population = np.array([float(r["population"]) for r in FUNNEL])
    average = float(FUNNEL[0]["average_percent"]) / 100
    low95, high95 = stats.funnel_limits(population, average, stats.LEVEL_95)
    low998, high998 = stats.funnel_limits(population, average, stats.LEVEL_998)
    for name, got in (("lower95", low95), ("upper95", high95), ("lower998", low998), ("upper998", high998)):
        expected = np.array([float(r[name]) for r in FUNNEL])
        # published to 6 decimals (of a percentage); the average itself is rounded to 6 decimals too
        assert np.max(np.abs(got * 100 - expected)) < 2e-6, name


def test_funnel_grid_is_phes_grid() -> None:
    grid = stats.funnel_grid(FUNNEL_SMALLEST, FUNNEL_LARGEST)
    published = [int(r["population"]) for r in FUNNEL]
    positions = list(range(0, 100, 5)) + [99]
    assert len(grid) == 100
    assert [int(grid[i]) for i in positions] == published


SIGNIFICANCE = _rows("funnel_significance.csv")
_BANDS = {-2: "Low (0.001)", -1: "Low (0.025)", 0: "Not significant", 1: "High (0.025)", 2: "High (0.001)"}


@pytest.mark.parametrize("case", SIGNIFICANCE, ids=[c["area"] for c in SIGNIFICANCE])
def test_funnel_significance_case(case: dict[str, str]) -> None:
    band = stats.funnel_band(float(case["numerator"]), float(case["denominator"]),
                             float(case["average_percent"]) / 100)
    assert _BANDS[int(band)] == case["expected"]


ENGLAND = _rows("england_cases.csv")


@pytest.mark.parametrize("case", ENGLAND, ids=[c["case"] for c in ENGLAND])
def test_against_england_case(case: dict[str, str]) -> None:
    level = stats.confidence_level(case["level"])
    polarity = parse_polarity(case["polarity"])
    if case["x"]:
        result = judge(["proportion"], float(case["multiplier"]), np.nan, float(case["x"]), float(case["n"]),
                       comparator=float(case["england"]), level=level)
        sign = float(result["versus"][0])
    else:
        sign = float(stats.compare_with(float(case["lower"]), float(case["upper"]), float(case["england"])))
    assert versus_word(sign, polarity) == case["expected"]


def test_z_values() -> None:
    assert stats.z_for(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert stats.z_for(99.8) == pytest.approx(3.090232306167813, abs=1e-12)
    assert stats.confidence_level("95%") == 0.95
    with pytest.raises(ValueError):
        stats.confidence_level(1.5)


def test_exact_and_byar_agree_from_ten() -> None:
    # PHE's technical guide: Byar's method is within 0.2% of the exact value from 10 (95%).
    x = np.arange(10, 2000)
    exact_low, exact_high = stats.exact_poisson_interval(x)
    byar_low, byar_high = stats.byars_interval(x)
    assert np.max(np.abs(byar_low / exact_low - 1)) < 0.002
    assert np.max(np.abs(byar_high / exact_high - 1)) < 0.002


@pytest.mark.parametrize("x", [0, 1, 3, 9, 10, 25])
def test_exact_poisson_limits_have_the_right_tail_probabilities(x: int) -> None:
    low, high = (float(v) for v in stats.exact_poisson_interval(x))

    def at_most(k: int, mean: float) -> float:
        return sum(math.exp(-mean) * mean ** j / math.factorial(j) for j in range(k + 1))

    assert at_most(x, high) == pytest.approx(0.025, abs=1e-10)
    if x:
        assert 1 - at_most(x - 1, low) == pytest.approx(0.025, abs=1e-10)
    else:
        assert low == 0


@pytest.mark.parametrize("x,n", [(0, 5), (1, 5), (3, 7), (7, 7), (12, 40), (55, 120)])
def test_clopper_pearson_limits_have_the_right_tail_probabilities(x: int, n: int) -> None:
    low, high = (float(v) for v in stats.clopper_pearson_interval(x, n))

    def at_most(k: int, p: float) -> float:
        return sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(k + 1))

    if x < n:
        assert at_most(x, high) == pytest.approx(0.025, abs=1e-10)
    else:
        assert high == 1
    if x:
        assert 1 - at_most(x - 1, low) == pytest.approx(0.025, abs=1e-10)
    else:
        assert low == 0


def test_log_gamma_matches_the_standard_library() -> None:
    points = np.array([1e-6, 0.1, 0.5, 1, 1.5, 7.3, 42, 1e3, 1e6])
    expected = np.array([math.lgamma(p) for p in points])
    assert np.allclose(stats._lgamma(points), expected, rtol=1e-13, atol=1e-13)


def test_missing_and_impossible_inputs_give_nan_not_errors() -> None:
    low, high = stats.wilson_interval([np.nan, 5, 11, -1], [10, 0, 10, 10])
    assert np.isnan(low).all() and np.isnan(high).all()
    low, high = stats.rate_interval([np.nan, 5, -3], [100, 0, 100], 1000)
    assert np.isnan(low).all() and np.isnan(high).all()
    ratio, low, high = stats.poisson_ratio_interval([0, 5], [1, 0], [0, 5], [1, 1])
    assert np.isnan(ratio).all() and np.isnan(low).all()


def test_a_column_call_equals_scalar_calls() -> None:
    x = np.array([0, 3, 17, 240, 9856])
    n = np.array([10, 40, 200, 300, 12345])
    low, high = stats.wilson_interval(x, n)
    for i in range(len(x)):
        one_low, one_high = stats.wilson_interval(x[i], n[i])
        assert float(one_low) == low[i] and float(one_high) == high[i]
    # A ratio near its ends (315 here) magnifies the last bits of the binomial limit: agree to 1e-6.
    ratio, r_low, r_high = stats.poisson_ratio_interval(x + 1, n, x[::-1] + 1, n[::-1])
    for i in range(len(x)):
        one = stats.poisson_ratio_interval(x[i] + 1, n[i], x[::-1][i] + 1, n[::-1][i])
        assert float(one[1]) == pytest.approx(r_low[i], rel=1e-6)
        assert float(one[2]) == pytest.approx(r_high[i], rel=1e-6)


# --- properties -------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=100_000)
levels = st.sampled_from([stats.LEVEL_95, stats.LEVEL_998])


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=1_000_000), st.floats(min_value=0, max_value=1), levels)
def test_wilson_contains_the_point_and_stays_in_zero_to_one(n: int, share: float, level: float) -> None:
    x = round(share * n)
    low, high = (float(v) for v in stats.wilson_interval(x, n, level))
    assert 0 <= low <= x / n <= high <= 1
    if x == 0:
        assert low == 0
    if x == n:
        assert high == 1


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=5000),
       st.integers(min_value=2, max_value=50))
def test_wilson_narrows_as_the_denominator_grows(n: int, x: int, factor: int) -> None:
    assume(x <= n)
    low, high = stats.wilson_interval(x, n)
    bigger_low, bigger_high = stats.wilson_interval(x * factor, n * factor)
    assert float(bigger_high - bigger_low) < float(high - low)


@settings(deadline=None)
@given(counts, levels)
def test_count_interval_contains_the_count(x: int, level: float) -> None:
    low, high = (float(v) for v in stats.count_interval(x, level))
    assert 0 <= low <= x <= high
    if x == 0:
        assert low == 0


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=20_000), st.integers(min_value=1, max_value=10**7),
       st.sampled_from([1, 100, 1000, 10_000, 100_000]))
def test_rate_interval_contains_the_rate(x: int, n: int, multiplier: int) -> None:
    low, high = (float(v) for v in stats.rate_interval(x, n, multiplier))
    rate = x / n * multiplier
    assert low <= rate * (1 + 1e-12) and rate <= high * (1 + 1e-12)
    if x == 0:
        assert low == 0


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=2, max_value=20))
def test_rate_interval_narrows_relative_to_the_rate_as_counts_grow(x: int, factor: int) -> None:
    low, high = stats.rate_interval(x, 1000, 1)
    bigger_low, bigger_high = stats.rate_interval(x * factor, 1000 * factor, 1)
    assert float(bigger_high - bigger_low) < float(high - low)


# A count and its denominator, the count never above it (drawn so, not filtered: filtering half
# the draws away failed Hypothesis's health check now and then).
count_of = st.integers(min_value=1, max_value=400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@settings(max_examples=60, deadline=None)
@given(count_of, count_of)
def test_newcombe_interval_contains_the_difference(first: tuple[int, int], second: tuple[int, int]) -> None:
    (x1, n1), (x2, n2) = first, second
    difference, low, high = (float(v) for v in stats.newcombe_difference(x1, n1, x2, n2))
    assert -1 <= low <= difference <= high <= 1


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=3000), st.integers(min_value=1, max_value=3000),
       st.floats(min_value=0.1, max_value=10))
def test_poisson_ratio_interval_contains_the_ratio(x1: int, x2: int, exposure: float) -> None:
    ratio, low, high = (float(v) for v in stats.poisson_ratio_interval(x1, exposure, x2, 1.0))
    assert low <= ratio * (1 + 1e-9) and ratio <= high * (1 + 1e-9)


@settings(deadline=None)
@given(st.floats(min_value=1, max_value=1e6), st.floats(min_value=0, max_value=1))
def test_funnel_limits_hold_the_average_and_stay_in_zero_to_one(n: float, average: float) -> None:
    low95, high95 = (float(v) for v in stats.funnel_limits(n, average))
    low998, high998 = (float(v) for v in stats.funnel_limits(n, average, stats.LEVEL_998))
    assert 0 <= low998 <= low95 <= average <= high95 <= high998 <= 1


# --- overdispersion (Spiegelhalter 2005), worked by hand ------------------------------------


def test_overdispersion_phi_from_winsorised_z_scores_by_hand() -> None:
    from kpi_excel.core.stats import overdispersed, overdispersion

    # Ten areas of 100: 10, 12, ..., 28 events; average 190 / 1,000 = 0.19, so each z-score is
    # d / SE with d = ±0.01, ±0.03, ±0.05, ±0.07, ±0.09 and SE² = 0.19 × 0.81 / 100 = 0.001539.
    # The 10th percentile (R's type 7) lies 0.9 of the way from the lowest z to the next:
    # (-0.09 + 0.9 × 0.02) / SE = -0.072 / SE, and the 90th is +0.072 / SE; the two outer
    # z-scores are pulled in to them. phi = mean of the squares
    # = 2 × (0.072² + 0.07² + 0.05² + 0.03² + 0.01²) / (10 × 0.001539) = 0.027168 / 0.01539.
    x = np.arange(10, 30, 2, dtype=float)
    n = np.full(10, 100.0)
    phi = overdispersion(x, n, 0.19)
    assert phi == pytest.approx(0.027168 / 0.01539, abs=1e-12)
    # 10 × 1.7653 = 17.65 is below chi-square's 95% point on 10 df (18.31): not overdispersed.
    assert not overdispersed(phi, 10)
    assert overdispersed(2.0, 10)  # 20 > 18.31
    # Spiegelhalter's limits are the usual ones widened by sqrt(phi).
    low, high = stats.funnel_limits(100, 0.19, stats.LEVEL_998, phi)
    half = stats.z_for(stats.LEVEL_998) * np.sqrt(phi * 0.001539)
    assert (float(low), float(high)) == (pytest.approx(0.19 - half, abs=1e-15), pytest.approx(0.19 + half, abs=1e-15))
    # phi below 1 never narrows them.
    assert stats.funnel_limits(100, 0.19, stats.LEVEL_998, 0.5) == stats.funnel_limits(100, 0.19, stats.LEVEL_998)


def test_a_kept_column_is_the_column_worked_out_and_each_caller_gets_its_own_copy() -> None:
    """clopper_pearson_interval keeps a column's limits (a server asks again and again): the kept
    answer is the worked-out one to the last bit, for columns on both sides of the solver's
    small-column path, and changing one caller's array changes no other's."""
    rng = np.random.default_rng(20)
    for size in (1, 5, 8, 9, 50):
        total = rng.integers(1, 5000, size).astype(float)
        x = np.floor(total * rng.random(size))
        x[0] = 0.0
        for level in (stats.LEVEL_95, stats.LEVEL_998):
            fresh_low, fresh_high = stats._clopper_pearson(x, total, level)
            for _ in range(2):
                low, high = stats.clopper_pearson_interval(x, total, level)
                assert low.tobytes() == fresh_low.tobytes() and high.tobytes() == fresh_high.tobytes()
                low[:] = -1.0
    big = np.full(stats._KEPT_UP_TO + 1, 3.0)  # too long a column to keep: worked out each time
    worked_out = stats._clopper_pearson(big, np.full(big.shape, 10.0), 0.95)[0]
    assert stats.clopper_pearson_interval(big, 10.0)[0].tobytes() == worked_out.tobytes()
    assert stats._clopper_pearson_kept.cache_info().currsize <= 16
