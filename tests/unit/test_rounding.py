import math

import pytest

from perfreport.methods.rounding import format_number, round_half_up


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (2.5, 0, 3.0),
        (-2.5, 0, -3.0),
        (0.5, 0, 1.0),
        (1.5, 0, 2.0),
        (0.285, 2, 0.29),
        (1.005, 2, 1.01),
        (2.675, 2, 2.68),
        (12345.25, 1, 12345.3),
        (0.0, 1, 0.0),
        (1234.5, -1, 1230.0),
    ],
)
def test_halves_round_away_from_zero(x, digits, expected):
    assert round_half_up(x, digits) == expected


def test_python_round_would_differ():
    assert round(2.5) == 2 and round_half_up(2.5) == 3


def test_missing_stays_missing():
    assert round_half_up(None) is None
    assert round_half_up(math.nan) is None
    assert format_number(None) == "no data"


def test_format_number_uses_thousands_separators():
    assert format_number(1234567.891, 1) == "1,234,567.9"
    assert format_number(0.125, 2) == "0.13"
    assert format_number(80, 0) == "80"
