"""The demo generator: deterministic to the byte, and shaped like real partnership data."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from perfreport.config.demo import load_demo_settings
from perfreport.errors import PerfreportError
from perfreport.store.demo import generate


@pytest.fixture(scope="module")
def demo_text(demo_settings, catalogue, areas) -> str:
    return generate(demo_settings, catalogue, areas)


@pytest.fixture(scope="module")
def demo(demo_text) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(demo_text), dtype={"category": str})


def test_same_seed_same_bytes(demo_text, demo_settings, catalogue, areas):
    assert generate(demo_settings, catalogue, areas) == demo_text


def test_another_seed_gives_other_data(demo_text, demo_settings, catalogue, areas):
    other = demo_settings.model_copy(update={"seed": demo_settings.seed + 1})
    assert generate(other, catalogue, areas) != demo_text


def test_covers_every_indicator_and_the_fixed_date_range(demo, catalogue):
    assert set(demo["indicator_id"]) == set(catalogue.ids)
    assert demo["period_start"].min() == "2019-04-01"
    assert demo["period_end"].max() == "2025-03-31"  # params/demo.yaml end, not today's date
    monthly = demo[
        (demo.indicator_id == "MSG-4") & (demo.area_code == "S37000005") & (demo.breakdown == "all")
    ]
    assert len(monthly) == 72
    surveys = demo[(demo.indicator_id == "NI-2") & (demo.area_code == "S37000005")]
    assert sorted(surveys["period_start"]) == ["2019-04-01", "2021-04-01", "2023-04-01"]


def test_partnership_is_the_sum_of_its_localities(demo):
    keys = ["indicator_id", "period_start", "breakdown", "category"]
    localities = demo[demo.area_code.isin(["CS-CLK", "CS-RST", "CS-UST"])]
    summed = localities.groupby(keys)[["numerator", "denominator"]].sum(min_count=1).reset_index()
    partnership = demo[demo.area_code == "S37000005"].merge(summed, on=keys, suffixes=("", "_sum"))
    assert len(partnership) == len(summed) > 1000
    assert (partnership["numerator"] - partnership["numerator_sum"]).abs().max() < 1e-6
    has_den = partnership["denominator"].notna()
    assert (
        partnership.loc[has_den, "denominator"] - partnership.loc[has_den, "denominator_sum"]
    ).abs().max() < 1e-6


def test_every_breakdown_adds_up_to_its_total(demo):
    keys = ["indicator_id", "area_code", "period_start"]
    totals = demo[demo.breakdown == "all"].set_index(keys)["numerator"]
    parts = demo[demo.breakdown != "all"].groupby([*keys, "breakdown"])["numerator"].sum()
    joined = parts.reset_index().join(totals.rename("total"), on=keys)
    assert len(joined) > 500
    assert (joined["numerator"] == joined["total"]).all()
    assert set(demo.loc[demo.breakdown != "all", "breakdown"]) == {
        "age_band",
        "age_group",
        "sex",
        "simd_quintile",
    }


def test_age_bands_have_the_death_rates_of_their_ages_in_every_area_and_the_country(demo):
    """NI-11's bands (for its age-standardised rate): the 2013 ESP's 15 bands under 75, for
    every locality, the partnership and Scotland, with rates rising with age
    (``category_rates``) and populations in the shares ``categories`` gives."""
    bands = demo[(demo.indicator_id == "NI-11") & (demo.breakdown == "age_band")]
    assert set(bands.area_code) == {"CS-CLK", "CS-RST", "CS-UST", "S37000005", "S92000003"}
    assert (bands.groupby(["area_code", "period_start"]).size() == 15).all()
    scotland = (
        bands[bands.area_code == "S92000003"]
        .groupby("category")[["numerator", "denominator"]]
        .sum()
    )
    rate = scotland.numerator / scotland.denominator * 100_000
    assert rate["70-74"] > 20 * rate["20-24"] > 0
    assert 2000 < rate["70-74"] < 2800 and 40 < rate["20-24"] < 60  # the declared relative rates


def test_values_follow_numerators_and_denominators(demo, catalogue):
    pct = demo[demo.indicator_id == "L-COM-01"].dropna(subset=["value"])
    assert ((pct["numerator"] / pct["denominator"] * 100 - pct["value"]).abs() < 1e-5).all()
    assert (pct["numerator"] <= pct["denominator"]).all()


def test_small_counts_appear_in_locality_breakdowns(demo):
    small = demo[(demo.numerator >= 1) & (demo.numerator <= 4) & (demo.breakdown != "all")]
    assert len(small) > 100
    assert "CS-RST" in set(small.area_code)
    rural_simd1 = demo[
        (demo.area_code == "CS-RST") & (demo.breakdown == "simd_quintile") & (demo.category == "1")
    ]
    assert rural_simd1["numerator"].median() < 5


def test_sustained_shift_and_winter_pressure(demo):
    dd = demo[
        (demo.indicator_id == "MSG-4") & (demo.area_code == "S37000005") & (demo.breakdown == "all")
    ]
    before = dd[dd.period_start < "2023-10-01"]["value"].mean()
    after = dd[dd.period_start >= "2023-10-01"]["value"].mean()
    assert after / before > 1.2  # params/demo.yaml: +30% from October 2023
    beds = demo[
        (demo.indicator_id == "MSG-2a")
        & (demo.area_code == "S37000005")
        & (demo.breakdown == "all")
    ]
    month = beds["period_start"].str[5:7]
    winter = beds[month.isin(["12", "01", "02"])]["value"].mean()
    summer = beds[month.isin(["06", "07", "08"])]["value"].mean()
    assert winter > summer * 1.1


def test_indicators_without_a_series_get_no_demo_data(demo_settings, catalogue, areas):
    """The generator skips them (check no longer asks every indicator for a series)."""
    fewer = demo_settings.model_copy(
        update={"indicators": {k: demo_settings.indicators[k] for k in ("MSG-4", "NI-1")}}
    )
    frame = pd.read_csv(io.StringIO(generate(fewer, catalogue, areas)))
    assert set(frame.indicator_id) == {"MSG-4", "NI-1"}
    assert set(frame.area_code) == {"S37000005", "CS-CLK", "CS-RST", "CS-UST", "S92000003"}


def test_demo_settings_are_all_optional(tmp_path, catalogue, areas):
    """``extracts:`` alone is a demo (no generator settings, no partnership, no Scotland)."""
    (tmp_path / "params" / "sources").mkdir(parents=True)
    (tmp_path / "params" / "sources" / "mine.yaml").write_text("name: mine\n")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "a.csv").write_text("x\n")
    path = tmp_path / "params" / "demo.yaml"
    path.write_text("extracts:\n  - {spec: mine, file: demo/a.csv}\n")
    settings = load_demo_settings(path, catalogue, areas)
    assert (settings.indicators, settings.partnership, settings.country) == ({}, None, None)
    assert [(e.spec, e.file) for e in settings.extracts] == [("mine", "demo/a.csv")]
    path.write_text("indicators:\n  MSG-4: {level: 3}\n")
    with pytest.raises(PerfreportError, match="need 'start', 'end' and 'partnership'"):
        load_demo_settings(path, catalogue, areas)


def test_every_drawn_area_needs_a_population(tmp_path, catalogue, areas):
    """Every area of the partnership's type is drawn: each of its parts needs a population."""
    (tmp_path / "params").mkdir()
    path = tmp_path / "params" / "demo.yaml"
    path.write_text(
        "start: 2024-04\nend: 2025-03\npartnership: S37000005\n"
        "populations: {CS-CLK: 100, CS-UST: 200}\nindicators:\n  MSG-4: {level: 3}\n"
    )
    with pytest.raises(
        PerfreportError, match="field 'populations': no population for locality 'CS-RST'"
    ):
        load_demo_settings(path, catalogue, areas)
