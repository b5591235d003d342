from datetime import date

import pytest

from perfreport.build.pipeline import DataSpan, latest_complete
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, financial_year_label, parse_period, periods_between
from tests.helpers import RANGE


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "ident", "label"),
    [
        ("2025-03", "month", date(2025, 3, 1), date(2025, 3, 31), "2025-03", "March 2025"),
        ("2024-25-Q4", "quarter", date(2025, 1, 1), date(2025, 3, 31), "2024-25-Q4", "Q4 2024/25"),
        ("Q1 2024/25", "quarter", date(2024, 4, 1), date(2024, 6, 30), "2024-25-Q1", "Q1 2024/25"),
        (
            "2024/25 Q3",
            "quarter",
            date(2024, 10, 1),
            date(2024, 12, 31),
            "2024-25-Q3",
            "Q3 2024/25",
        ),
        (
            "2024-25-H2",
            "half_year",
            date(2024, 10, 1),
            date(2025, 3, 31),
            "2024-25-H2",
            "H2 2024/25",
        ),
        (
            "H1 2024/25",
            "half_year",
            date(2024, 4, 1),
            date(2024, 9, 30),
            "2024-25-H1",
            "H1 2024/25",
        ),
        ("2024/25", "financial_year", date(2024, 4, 1), date(2025, 3, 31), "FY2024-25", "2024/25"),
        ("2024-25", "financial_year", date(2024, 4, 1), date(2025, 3, 31), "FY2024-25", "2024/25"),
        (
            "FY2011-12",
            "financial_year",
            date(2011, 4, 1),
            date(2012, 3, 31),
            "FY2011-12",
            "2011/12",
        ),
        ("1999/00", "financial_year", date(1999, 4, 1), date(2000, 3, 31), "FY1999-00", "1999/00"),
        ("2011-12", "month", date(2011, 12, 1), date(2011, 12, 31), "2011-12", "December 2011"),
        ("2024", "calendar_year", date(2024, 1, 1), date(2024, 12, 31), "2024", "2024"),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), "2024-02", "February 2024"),
    ],
)
def test_parse_gives_uk_public_sector_periods(text, kind, start, end, ident, label):
    period = parse_period(text)
    assert (period.kind, period.start, period.end, period.id, period.label) == (
        kind,
        start,
        end,
        ident,
        label,
    )
    assert parse_period(period.id) == period


@pytest.mark.parametrize(
    "text", ["2024/26", "2025-13", "Q5 2024/25", "March 2025", "", "2024-25-Q0", "2024-25-H3"]
)
def test_bad_period_names_the_parameter(text):
    with pytest.raises(PerfreportError, match=r"^--period .* is not a period; use a month"):
        parse_period(text, what="--period")


def test_quarter_arithmetic_and_labels():
    q4 = parse_period("2024-25-Q4")
    assert q4.previous().id == "2024-25-Q3"
    assert q4.shift(1).id == "2025-26-Q1"
    assert q4.year_earlier().id == "2023-24-Q4"
    assert [m.id for m in q4.months()] == ["2025-01", "2025-02", "2025-03"]
    assert q4.long_label == "Q4 2024/25 (January to March 2025)"
    assert parse_period("2024-25-Q3").long_label == "Q3 2024/25 (October to December 2024)"
    assert parse_period("2024/25").long_label == "2024/25 (April 2024 to March 2025)"


def test_containing_and_validation():
    assert Period.containing("quarter", date(2025, 4, 1)).id == "2025-26-Q1"
    with pytest.raises(ValueError, match="not the first day of a quarter"):
        Period(date(2024, 5, 1), "quarter")
    assert financial_year_label(2019) == "2019/20"
    assert Period.containing("financial_year", date(2025, 3, 31)).id == "FY2024-25"


def test_periods_between_is_inclusive():
    quarters = periods_between("quarter", date(2019, 4, 1), date(2025, 3, 31))
    assert len(quarters) == 24
    assert quarters[0].id == "2019-20-Q1" and quarters[-1].id == "2024-25-Q4"


def test_half_years_follow_the_financial_year():
    h2 = parse_period("2024-25-H2")
    assert h2.long_label == "H2 2024/25 (October 2024 to March 2025)"
    assert h2.previous().id == "2024-25-H1"
    assert h2.shift(1).id == "2025-26-H1"
    assert h2.year_earlier().id == "2023-24-H2"
    assert [m.id for m in h2.months()][0::5] == ["2024-10", "2025-03"]
    assert Period.containing("half_year", date(2025, 9, 30)).id == "2025-26-H1"


def test_a_period_is_only_ever_parsed_into_a_calendar_that_exists():
    for text in ("0000", "0000-01", "9999-00-Q4"):
        with pytest.raises(PerfreportError, match=r"is not a period"):
            parse_period(text, what="--period")
    # a financial year spanning a century is written as UK bodies write it, and round-trips
    assert parse_period("2099-00-Q4").long_label == "Q4 2099/00 (January to March 2100)"


SPAN = DataSpan(date(2019, 4, 1), date(2025, 3, 31))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2019-01", "is before the first data (April 2019)"),
        ("2019", "starts before the first data (April 2019)"),
        ("2025-04", "is after the latest data (March 2025)"),
        ("2099-00-Q4", "is after the latest data (March 2025)"),
        ("2024-25-H2", None),
        ("FY2019-20", None),
        ("2025", "ends after the latest data (March 2025)"),
    ],
)
def test_a_period_must_lie_within_the_data(text, problem):
    period = parse_period(text)
    if problem is None:
        assert SPAN.check(period, text) == period
        return
    with pytest.raises(PerfreportError) as caught:
        SPAN.check(period, text)
    assert str(caught.value) == f"parameter '--period': {text} {problem}; {RANGE}"


def test_the_latest_complete_period_must_be_in_the_data():
    assert latest_complete(None, "quarter", SPAN).id == "2024-25-Q4"  # type: ignore[arg-type]
    short = DataSpan(date(2024, 4, 1), date(2024, 9, 30))
    assert latest_complete(None, "half_year", short).id == "2024-25-H1"  # type: ignore[arg-type]
    with pytest.raises(PerfreportError) as caught:
        latest_complete(None, "financial_year", short)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "the data cover April 2024 to September 2024: no whole financial year yet"
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2024/25", "2024/25"),
        ("Q1 2024/25", "Q1 2024/25"),
        ("2024/25 Q2", "Q2 2024/25"),
        ("Jan-Mar 2018", "Q4 2017/18"),
        ("Apr-Jun 2018", "Q1 2018/19"),
        ("October to December 2018", "Q3 2018/19"),
        ("April 2021", "April 2021"),
        ("Apr 2021", "April 2021"),
        ("Sept 2021", "September 2021"),
        ("2021-04", "April 2021"),
        ("202104", "April 2021"),
        ("2021-04-01", "April 2021"),
        ("2007-07-31", "July 2007"),
        ("2024", "2024"),
    ],
)
def test_open_data_period_labels(text, label):
    from perfreport.methods.period_labels import parse_period_label

    assert parse_period_label(text).label == label


def test_an_iso_date_is_the_period_of_the_given_kind_holding_it():
    from perfreport.methods.period_labels import parse_period_label

    assert parse_period_label("2025-02-14", kind="quarter").label == "Q4 2024/25"


@pytest.mark.parametrize(
    "text", ["Feb-Apr 2018", "Jan-Mar 18", "202113", "2021-02-30", "Smarch 2021"]
)
def test_a_label_that_is_no_period_lists_the_accepted_formats(text):
    from perfreport.methods.period_labels import parse_period_label

    with pytest.raises(PerfreportError) as caught:
        parse_period_label(text, what="period")
    assert str(caught.value) == (
        f"period {text!r} is not a period label; accepted: 2024/25 (financial year); Q1 2024/25 "
        "or 2024/25 Q1 (financial quarter); Jan-Mar 2018 (calendar quarter); H1 2024/25 (half "
        "year); April 2021 or Apr 2021 (month); 2021-04 or 202104 (month); 2021-04-01 or "
        "2021-04-30 (ISO date: its month); 2024 (calendar year)"
    )
