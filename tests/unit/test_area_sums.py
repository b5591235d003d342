"""An area with no figure of its own gets its children's sum where the figures add up."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from perfreport.assess.area_sums import with_area_sums
from perfreport.config.areas import Area, Areas
from perfreport.methods.periods import Period
from tests.helpers import make_indicator

APRIL, MAY = Period(date(2025, 4, 1), "month"), Period(date(2025, 5, 1), "month")
AREAS = Areas(
    tuple(
        Area.model_validate(a)
        for a in (
            {"code": "P", "name": "Partnership", "type": "partnership", "slug": "p"},
            {"code": "L1", "name": "Locality 1", "type": "locality", "parent": "P", "slug": "l1"},
            {"code": "L2", "name": "Locality 2", "type": "locality", "parent": "P", "slug": "l2"},
            {"code": "C1", "name": "Council 1", "type": "council", "parent": "P", "slug": "c1"},
            {"code": "C2", "name": "Council 2", "type": "council", "parent": "P", "slug": "c2"},
        )
    )
)
COUNT = make_indicator(unit="count", method="count", target=[], tolerance=None)


def obs(*rows: tuple[str, Period, float | None, float | None, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": "T",
                "area_code": area,
                "period_start": period.start,
                "period_end": period.end,
                "breakdown": "all",
                "category": "all",
                "numerator": np.nan if num is None else num,
                "denominator": np.nan if den is None else den,
                "value": np.nan if value is None else value,
                "period": period,
            }
            for area, period, num, den, value in rows
        ]
    )


def partnership(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["area_code"] == "P"].sort_values("period_start").reset_index(drop=True)


def test_counts_of_every_council_add_up_to_the_partnership():
    out = with_area_sums(
        obs(("C1", APRIL, None, None, 636), ("C2", APRIL, None, None, 502)), COUNT, AREAS
    )
    p = partnership(out)
    assert list(p["value"]) == [1138] and list(p["derived"]) == [True]
    assert p["numerator"].isna().all() and p["denominator"].isna().all()
    assert not out[out["area_code"] != "P"]["derived"].any()
    assert p["period"].iloc[0] == APRIL


def test_a_month_a_child_lacks_is_not_summed():
    out = with_area_sums(
        obs(
            ("C1", APRIL, None, None, 1),
            ("C2", APRIL, None, None, 2),
            ("C1", MAY, None, None, 3),
            ("C2", MAY, None, None, None),  # suppressed at source
        ),
        COUNT,
        AREAS,
    )
    assert list(partnership(out)["value"]) == [3]


def test_an_area_with_its_own_figure_keeps_it():
    out = with_area_sums(
        obs(
            ("P", APRIL, None, None, 10), ("C1", APRIL, None, None, 4), ("C2", APRIL, None, None, 5)
        ),
        COUNT,
        AREAS,
    )
    assert list(partnership(out)["value"]) == [10] and not out["derived"].any()


def test_numerators_and_denominators_add_and_the_value_is_worked_out_again():
    out = with_area_sums(
        obs(("L1", APRIL, 30, 40, 75.0), ("L2", APRIL, 10, 60, 100 / 6)), make_indicator(), AREAS
    )
    p = partnership(out).iloc[0]
    assert (p["numerator"], p["denominator"]) == (40, 100)
    assert p["value"] == pytest.approx(40.0) and p["derived"]  # not the mean of 75% and 16.7%


def test_value_only_percentages_are_not_summed():
    out = with_area_sums(
        obs(("C1", APRIL, None, None, 75.0), ("C2", APRIL, None, None, 50.0)),
        make_indicator(aggregation="mean"),
        AREAS,
    )
    assert partnership(out).empty and not out["derived"].any()


def test_directly_standardised_rates_are_not_summed():
    dsr = make_indicator(unit="per_100000", method="dsr", target=[], tolerance=None)
    out = with_area_sums(obs(("C1", APRIL, 5, 1000, 480), ("C2", APRIL, 7, 2000, 330)), dsr, AREAS)
    assert partnership(out).empty


def test_children_of_one_type_suffice_and_types_are_not_mixed():
    # two councils complete the partnership; the localities (one missing) do not count
    out = with_area_sums(
        obs(
            ("L1", APRIL, None, None, 100),
            ("C1", APRIL, None, None, 7),
            ("C2", APRIL, None, None, 8),
        ),
        COUNT,
        AREAS,
    )
    assert list(partnership(out)["value"]) == [15]


def test_disclosure_control_sees_a_summed_partnership_as_its_councils_total():
    """A council's small count would be the partnership's sum less the other council's:
    disclosure control withholds a second figure, as it does for localities."""
    from perfreport.assess.disclosure import protect
    from perfreport.config.disclosure import Disclosure

    summed = with_area_sums(
        obs(("C1", APRIL, 3, None, 3), ("C2", APRIL, 40, None, 40), ("L1", APRIL, 9, None, 9)),
        COUNT,
        AREAS,
    )
    frame = summed.drop(columns="period").assign(period_kind="month", period_label="April 2025")
    out = protect(frame, Disclosure(public=True), AREAS).set_index("area_code")
    assert out.loc["P", "value"] == 43
    assert out.loc["C1", "suppressed"]  # the small count
    assert out.loc["C2", "suppressed"] or out.loc["P", "suppressed"]  # and one that gives it away
    assert not out.loc["L1", "suppressed"]
