"""parse_value's path for a number cell (a float first, a Value made without the dataclass's
guarded assignments) reads every number as the plain dataclass path does."""

from __future__ import annotations

import math
import random
import sys

import numpy as np
import pytest

from kpi_excel.core.values import (ABSURD, Value, ValueReadError, _decimals_of_repr, decimals_of_format,
                                   is_percent_format, parse_value)

FORMATS = [None, "General", "general", "0", "0.0", "0.00", "#,##0", "#,##0.000", "0%", "0.0%", "0.00%",
           "%", '0.0"%"', "0.0;[Red]-0.0", "0.0%;[Red]-0.0%", "[$£-809]#,##0.00", "0.00E+00", "@", "dd/mm/yyyy",
           "#,##0.0 \"days\"", "0.0\\%", "[h]:mm"]


def _reference(raw: float, number_format: str | None) -> Value:
    """The number path as it was: the dataclass's own constructor, every check spelt out."""
    number = float(raw)
    if not math.isfinite(number) or abs(number) >= ABSURD:
        raise ValueReadError(f"'{number}' is an absurd number for an indicator")
    percent = is_percent_format(number_format)
    decimals = decimals_of_format(number_format)
    if percent:
        number = round(number * 100, 12)
    if decimals is None:
        decimals = _decimals_of_repr(number)
    return Value(number, percent=percent, decimals=decimals)


def _numbers() -> list[float]:
    rng = random.Random(20)
    awkward = [0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 0.1 + 0.2, 0.776, 77.6, 1 / 3, 2 / 3, -1 / 3, 0.07, 7e-2,
               0.0700000000000001, 9.3699999999999992, 12345.678, 1e-7, 1e-12, 5e-324, -5e-324, 2.2250738585072014e-308,
               1e14, 999999999999999.9, -999999999999999.9, 1e15, -1e15, 1e16, 1e300, sys.float_info.max,
               math.inf, -math.inf, math.nan, 123456789012.345, 0.5, 2.5, -2.5, 0.125, 1.005, 2.675, 1e-5, 0.00001234,
               99.99999999999999, 100.00000000000001, 4.35, 0.045, 0.0449999999]
    spread = []
    for _ in range(3000):
        places = rng.randint(0, 9)
        spread.append(round(rng.uniform(-1e6, 1e6), places))
        spread.append(rng.uniform(-1, 1) * 10 ** rng.randint(-12, 16))
        spread.append(float(rng.randint(-10 ** 9, 10 ** 9)))
    return awkward + spread


def _read(call):
    try:
        value = call()
    except ValueReadError as error:
        return ("error", str(error))
    return (value, vars(value), list(vars(value)), value.display(), value.number_text(), hash(value))


@pytest.mark.parametrize("number_format", FORMATS)
def test_a_number_reads_as_the_dataclass_path_reads_it(number_format):
    for number in _numbers():
        assert _read(lambda: parse_value(number, number_format)) == _read(lambda: _reference(number, number_format)), \
            (number, number_format)


@pytest.mark.parametrize("kind", [int, np.float64])  # numpy scalars else: number_and_count makes them Python
def test_other_number_types_read_as_their_float(kind):
    for number in [0, 1, -3, 42, 1000, 123456]:
        for number_format in FORMATS:
            assert _read(lambda: parse_value(kind(number), number_format)) == \
                _read(lambda: _reference(float(kind(number)), number_format))


def test_a_value_made_fast_is_still_frozen():
    value = parse_value(12.5, "0.0")
    with pytest.raises(AttributeError):
        value.number = 3.0  # type: ignore[misc]
    assert value == Value(12.5, decimals=1) and {value: 1}[Value(12.5, decimals=1)] == 1


TEXTS = ["77.6%", "3,972", "-0.07", "1.5e3", "12 (420)", "3% (420)", "420 (3%)", "(12.5)", "£1,200", "0", "-0",
         "9.3699999999999992", "1,234,567.891", "+4", "  8.0  ", "1.2m", "£1.2m", "<0.1%", "5 days", "95.3 per cent",
         "1 in 5", "nil", "12*", "7 (provisional)", "c", "x", ":", "", "-", "0.000001", "99.99%"]


def test_values_read_from_text_are_those_the_dataclass_makes():
    for text in TEXTS:
        try:
            value = parse_value(text)
        except ValueReadError:
            continue
        again = Value(**vars(value))  # the dataclass's own constructor, from the same fields
        assert (value, vars(value), list(vars(value)), hash(value)) == \
            (again, vars(again), list(vars(again)), hash(again)), text
