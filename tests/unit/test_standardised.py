"""Directly standardised rates from age bands: the bands and standard populations
(perfreport.methods.standardisation), the catalogue's ``standardise`` entries, and prepare's
totals (perfreport.assess.standardised)."""

from __future__ import annotations

import math
import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from perfreport.assess.standardised import NOT_CALCULATED, with_standardised_rates
from perfreport.config.catalogue import ALL, load_catalogue
from perfreport.config.context import Context
from perfreport.errors import PerfreportError
from perfreport.methods import stats
from perfreport.methods.periods import Period
from perfreport.methods.standardisation import (
    ESP2013,
    AgeBand,
    parse_band,
    read_standard_population,
)
from tests.helpers import REPO

UNDER_75 = ESP2013.covering(0, 74)
DEATHS = [1, 0, 0, 1, 2, 3, 4, 5, 8, 10, 15, 22, 30, 41, 55]
PEOPLE = [2400, 2700, 2750, 2700, 3000, 3200, 3250, 3100, 2900, 3150, 3450, 3550, 3250, 2850, 2700]
YEAR = Period(date(2024, 1, 1), "calendar_year")


@pytest.fixture(scope="module")
def catalogue():
    return Context.load(REPO).catalogue


def test_the_esp_2013_has_its_19_bands_and_100000_people():
    assert len(ESP2013.labels) == 19 and sum(ESP2013.populations) == 100_000
    assert ESP2013.weights(["0-4", "70-74", "90+"]) == (5000.0, 5000.0, 1000.0)
    assert len(UNDER_75) == 15 and UNDER_75[-1] == "70-74"


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("0-4", AgeBand(0, 4)),
        ("00-04", AgeBand(0, 4)),
        ("0 to 4", AgeBand(0, 4)),
        ("Aged 5-9", AgeBand(5, 9)),
        ("70–74", AgeBand(70, 74)),
        ("0—4", AgeBand(0, 4)),  # an em dash
        ("0−4", AgeBand(0, 4)),  # a minus sign
        ("90+", AgeBand(90, None)),
        ("90 and over", AgeBand(90, None)),
        ("under 1", AgeBand(0, 0)),
    ],
)
def test_age_bands_are_read_by_their_ages_not_their_spelling(label, band):
    assert parse_band(label) == band


@pytest.mark.parametrize("label", ["all", "5-1", "under 0", "adults", ""])
def test_a_label_that_is_not_an_age_band_is_refused(label):
    with pytest.raises(ValueError, match="is not an age band"):
        parse_band(label)


def test_a_wider_band_takes_the_weights_of_the_bands_inside_it_and_a_narrower_one_is_refused():
    assert ESP2013.weights(["85+", "0-14"]) == (2500.0, 16000.0)
    with pytest.raises(
        ValueError, match="'0-2' is not a whole number of the bands of the 2013 European"
    ):
        ESP2013.weights(["0-2"])


def test_a_standard_population_file_with_a_gap_names_its_row(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("# my standard\nage_band,population\n0-4,10\n10-14,20\n")
    with pytest.raises(ValueError, match=r"mine.csv: line 4: band '10-14' does not follow"):
        read_standard_population(path)
    path.write_text("age_band,population\n0-4,10\n5+,-1\n")
    with pytest.raises(ValueError, match=r"line 3: population must be a number greater than zero"):
        read_standard_population(path)


def _frame(deaths, people, *, area="CS-CLK", total=True, bands=UNDER_75):
    rows = [
        {
            "area_code": area,
            "breakdown": "age_band",
            "category": c,
            "numerator": x,
            "denominator": n,
        }
        for c, x, n in zip(bands, deaths, people, strict=True)
    ]
    if total:
        rows.append(
            {
                "area_code": area,
                "breakdown": ALL,
                "category": ALL,
                "numerator": float(np.nansum(deaths)),
                "denominator": float(np.nansum(people)),
            }
        )
    frame = pd.DataFrame(rows).assign(
        indicator_id="NI-11",
        period_start=YEAR.start,
        period_end=YEAR.end,
        period=YEAR,
        lower=np.nan,
        upper=np.nan,
        ci_method="Byar (exact below 10), crude (not age-standardised)",
    )
    return frame.assign(value=frame["numerator"] / frame["denominator"] * 100_000)


def _total(frame):
    return frame[frame["breakdown"] == ALL].iloc[0]


def test_the_total_is_the_dsr_of_its_bands_with_dobson_limits(catalogue):
    out = with_standardised_rates(_frame(DEATHS, PEOPLE), catalogue["NI-11"], catalogue)
    total = _total(out)
    expected = stats.dsr(DEATHS, PEOPLE, ESP2013.weights(UNDER_75))
    assert total["value"] == pytest.approx(expected.value, rel=1e-12)
    assert (total["lower"], total["upper"]) == pytest.approx((expected.lower, expected.upper))
    assert total["numerator"] == sum(DEATHS) and total["denominator"] == sum(PEOPLE)
    assert total["ci_method"] == "Dobson, directly standardised (2013 European Standard Population)"
    assert total[NOT_CALCULATED] is None
    # the rate differs from the crude rate: the bands' ages are weighted, not their people
    assert abs(total["value"] - sum(DEATHS) / sum(PEOPLE) * 100_000) > 5


def test_fewer_than_10_deaths_is_not_calculated_and_says_so(catalogue):
    few = [0] * 12 + [2, 3, 4]
    total = _total(with_standardised_rates(_frame(few, PEOPLE), catalogue["NI-11"], catalogue))
    assert math.isnan(total["value"]) and math.isnan(total["lower"])
    assert total[NOT_CALCULATED] == "fewer than 10 deaths" and total["numerator"] == 9


def test_a_missing_band_or_count_leaves_the_rate_uncalculated_naming_the_bands(catalogue):
    short = _frame(DEATHS[:-1], PEOPLE[:-1], bands=UNDER_75[:-1])
    total = _total(with_standardised_rates(short, catalogue["NI-11"], catalogue))
    assert math.isnan(total["value"]) and total[NOT_CALCULATED] == "age band 70-74 without data"
    gaps = _frame([np.nan, *DEATHS[1:3], np.nan, *DEATHS[4:]], PEOPLE)
    total = _total(with_standardised_rates(gaps, catalogue["NI-11"], catalogue))
    assert total[NOT_CALCULATED] == "age bands 0-4, 15-19 without data"


def test_bands_alone_make_the_total_and_bands_outside_the_ages_are_left_out(catalogue):
    bands = (*UNDER_75, "75-79", "80+")
    frame = _frame([*DEATHS, 500, 900], [*PEOPLE, 2000, 1500], total=False, bands=bands)
    out = with_standardised_rates(frame, catalogue["NI-11"], catalogue)
    total = _total(out)
    expected = stats.dsr(DEATHS, PEOPLE, ESP2013.weights(UNDER_75))
    assert total["value"] == pytest.approx(expected.value)
    assert total["numerator"] == sum(DEATHS)  # the over-75s are not premature deaths
    assert len(out) == len(frame) + 1


def test_a_band_across_the_indicators_ages_is_refused_naming_it(catalogue):
    frame = _frame([*DEATHS[:-1], 60], PEOPLE, bands=(*UNDER_75[:-1], "70-79"))
    with pytest.raises(PerfreportError, match=r"NI-11.*'70-79' is partly outside the ages 0-74"):
        with_standardised_rates(frame, catalogue["NI-11"], catalogue)


def test_an_area_without_bands_keeps_its_published_rate(catalogue):
    frame = _frame(DEATHS, PEOPLE)
    published = frame[frame["breakdown"] == ALL].assign(area_code="S92000003", value=442.1)
    out = with_standardised_rates(pd.concat([frame, published]), catalogue["NI-11"], catalogue)
    scotland = out[out["area_code"] == "S92000003"].iloc[0]
    assert scotland["value"] == 442.1
    assert scotland["ci_method"] == "as published (no age bands to standardise)"


@pytest.fixture
def catalogue_folder(tmp_path):
    folder = tmp_path / "params"
    shutil.copytree(REPO / "params" / "catalogue", folder / "catalogue")
    shutil.copy(REPO / "params" / "framework.yaml", folder / "framework.yaml")
    return folder


def _edit(folder, old, new):
    path = folder / "catalogue" / "core_suite.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "population: esp2013",
            "population: who2000",
            r"standardise.population': no standard population 'who2000'",
        ),
        ("ages: 0-74", "ages: 0-72", r"standardise.ages': '0-72' is not a whole number"),
        (
            "{by: age_band,",
            "{by: age_group,",
            r"standardise.by 'age_group' must be one of the indicator's breakdowns",
        ),
    ],
)
def test_a_wrong_standardise_entry_is_one_line_naming_its_field(
    catalogue_folder, old, new, message
):
    _edit(catalogue_folder, old, new)
    with pytest.raises(PerfreportError, match=message) as error:
        load_catalogue(catalogue_folder / "catalogue")
    assert "core_suite.yaml" in str(error.value) and "\n" not in str(error.value)


def test_a_projects_own_standard_population_is_read_from_params(catalogue_folder):
    own = catalogue_folder / "standard_populations"
    own.mkdir()
    (own / "scotland2022.csv").write_text(
        "age_band,population\n0-44,3000\n45-64,1500\n65-74,500\n75+,400\n"
    )
    _edit(catalogue_folder, "population: esp2013", "population: scotland2022")
    catalogue = load_catalogue(catalogue_folder / "catalogue")
    standard = catalogue.standard(catalogue["NI-11"])
    assert standard.name == "scotland2022" and standard.weights(["45-64"]) == (1500.0,)


@pytest.mark.parametrize("method", ["isr", "smr"])
def test_indirect_methods_are_standardised_against_the_comparators_bands(catalogue, method):
    """``method: isr`` (or ``smr``) with ``standardise``: each area's observed events over those
    its bands would have at the comparator's age-specific rates (stats.isr / stats.isratio);
    the comparator's own total is left as it is."""
    ind = catalogue["NI-11"].model_copy(update={"method": method})
    scotland = [x * 50 / 0.8 for x in DEATHS]
    frame = pd.concat(
        [_frame(DEATHS, PEOPLE), _frame(scotland, [n * 50 for n in PEOPLE], area="S92000003")]
    )
    out = with_standardised_rates(frame, ind, catalogue, comparator="S92000003")
    total = _total(out)
    ref_x, ref_n = scotland, [n * 50 for n in PEOPLE]
    if method == "smr":
        expected = stats.isratio(DEATHS, PEOPLE, ref_x, ref_n, multiplier=100)
    else:
        expected = stats.isr(DEATHS, PEOPLE, ref_x, ref_n, multiplier=100_000)
    assert total["value"] == pytest.approx(expected.value)
    assert (total["lower"], total["upper"]) == pytest.approx((expected.lower, expected.upper))
    assert total["ci_method"] == "Byar, indirectly standardised (S92000003)"
    # the same age-specific rates as the comparator's, less a fifth: an SMR of 80
    assert expected.value == pytest.approx(
        80 if method == "smr" else 0.8 * 100_000 * sum(ref_x) / sum(ref_n)
    )
    with pytest.raises(PerfreportError, match=r"NI-11.*has no comparator area"):
        with_standardised_rates(frame, ind, catalogue, comparator=None)


def _byars(x: float, z: float, upper: bool) -> float:
    """PHEindicatormethods' byars_lower / byars_upper (R/Byars.R)."""
    if upper:
        x += 1
        return x * (1 - 1 / (9 * x) + z / (3 * math.sqrt(x))) ** 3
    return x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_the_dsr_is_phe_dsrs_to_1e_6(confidence):
    """stats.dsr against the reference's own computation, written out as
    ukhsa-collaboration/PHEindicatormethods R/DSR.R (commit 0031e305105d675dae6af8529d6e611eff92faaa,
    ``phe_dsr``) does it: value = sum(x * w / n) / sum(w) * multiplier; vardsr = sum(x * (w / n)^2)
    / sum(w)^2; limits = value + sqrt(vardsr / sum(x)) * (byars(sum(x)) - sum(x)) * multiplier,
    with the 2013 ESP and the multiplier 100,000. (The package's own expected figures are in
    spreadsheets, tests/testthat/testdata_DSR_ISR.xlsx, which could not be read here; this
    checks the formula, not a published number.)"""
    x = np.array([*DEATHS, 60, 90, 120, 150], dtype=float)
    n = np.array([*PEOPLE, 2000, 1500, 800, 300], dtype=float)
    w = np.array(ESP2013.populations)
    z = float(scipy.stats.norm.ppf(1 - (1 - confidence) / 2))
    value = (x * w / n).sum() / w.sum() * 100_000
    var = (x * (w / n) ** 2).sum() / w.sum() ** 2
    total = x.sum()
    lower = value + math.sqrt(var / total) * (_byars(total, z, False) - total) * 100_000
    upper = value + math.sqrt(var / total) * (_byars(total, z, True) - total) * 100_000
    found = stats.dsr(x, n, w, confidence=confidence)
    assert found.value == pytest.approx(value, rel=1e-9, abs=1e-6)
    assert found.lower == pytest.approx(lower, abs=1e-6)
    assert found.upper == pytest.approx(upper, abs=1e-6)
    assert found.method == "Dobson"


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("45-50", "age band '45-50' is not a whole number of the bands of the 2013 European"),
        ("70-79", "age band '70-79' is partly outside the ages 0-74"),
        ("adults", "'adults' is not an age band"),
        ("80-84", None),  # outside the ages: not part of the rate, no problem
        ("85+", None),
        ("0-14", None),
    ],
)
def test_ingest_and_prepare_judge_an_age_band_alike(label, problem):
    from perfreport.methods.standardisation import band_problem

    found = band_problem(ESP2013, AgeBand(0, 74), label)
    assert (found is None) if problem is None else (problem in found)


def test_validate_quarantines_an_age_band_the_standard_cannot_weigh(tmp_path):
    from tests.helpers import run_cli

    extract = tmp_path / "deaths.csv"
    extract.write_text(
        "indicator_id,area_code,period_start,period_end,breakdown,category,numerator,"
        "denominator,value\n"
        "NI-11,CS-CLK,2024-01-01,2024-12-31,age_band,45-49,9,3157,\n"
        "NI-11,CS-CLK,2024-01-01,2024-12-31,age_band,45-50,9,3157,\n"
        "NI-11,CS-CLK,2024-01-01,2024-12-31,age_band,70-79,40,3000,\n"
    )
    found = run_cli("validate", "demo_observations", str(extract), cwd=REPO)
    assert found.code == 1
    out = found.stdout + found.stderr
    assert "deaths.csv: 3 rows read, 1 accepted, 2 quarantined" in out
    assert "age band '45-50' is not a whole number of the bands of the 2013 European" in out
    assert "age band '70-79' is partly outside the ages 0-74" in out


def test_overlapping_or_duplicate_bands_give_no_rate_and_say_which(catalogue):
    """``0-4`` and ``00-04`` (one band spelt twice), or ``0-9`` beside ``0-4``: the rate is not
    calculated (adding both would count those deaths twice)."""
    twice = _frame([*DEATHS, 30], [*PEOPLE, 435], bands=(*UNDER_75, "00-04"))
    total = _total(with_standardised_rates(twice, catalogue["NI-11"], catalogue))
    assert math.isnan(total["value"]) and total[NOT_CALCULATED] == "age bands 0-4 and 00-04 overlap"
    wide = _frame([*DEATHS, 7], [*PEOPLE, 900], bands=(*UNDER_75, "0-9"))
    total = _total(with_standardised_rates(wide, catalogue["NI-11"], catalogue))
    assert total[NOT_CALCULATED] == "age bands 0-4 and 0-9 overlap"
    assert total["numerator"] == sum(DEATHS) + 7  # the extract's own total row, not a band sum


def test_a_withheld_band_leaves_the_extracts_own_events_and_population(catalogue):
    frame = _frame([*DEATHS[:-1], np.nan], PEOPLE)
    frame.loc[frame["breakdown"] == ALL, "numerator"] = sum(DEATHS)  # the extract's total
    total = _total(with_standardised_rates(frame, catalogue["NI-11"], catalogue))
    assert total[NOT_CALCULATED] == "age band 70-74 without data"
    assert total["numerator"] == sum(DEATHS)  # not the bands' 0 + ... without the withheld one
    bands_only = _frame([*DEATHS[:-1], np.nan], PEOPLE, total=False)
    total = _total(with_standardised_rates(bands_only, catalogue["NI-11"], catalogue))
    assert math.isnan(total["numerator"]) and math.isnan(total["denominator"])


def test_a_suppressed_count_gives_no_indirect_rate_and_bands_match_the_comparators_by_age(
    catalogue,
):
    ind = catalogue["NI-11"].model_copy(update={"method": "smr"})
    scotland = _frame([x * 50 for x in DEATHS], [n * 50 for n in PEOPLE], area="S92000003")
    spelt = scotland.assign(category=scotland["category"].replace({"0-4": "00-04"}))
    out = with_standardised_rates(
        pd.concat([_frame(DEATHS, PEOPLE), spelt]), ind, catalogue, comparator="S92000003"
    )
    assert _total(out)["value"] == pytest.approx(100.0)  # the same rates: 100, 00-04 matched
    withheld = _frame([*DEATHS[:-1], np.nan], PEOPLE)
    out = with_standardised_rates(
        pd.concat([withheld, scotland]), ind, catalogue, comparator="S92000003"
    )
    total = _total(out)
    assert math.isnan(total["value"]) and total[NOT_CALCULATED] == "age band 70-74 without data"


def test_a_standard_population_file_from_excel_reads_and_a_bad_one_names_its_line(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes("\ufeffage_band,population\r\n0-44,3000\r\n45+,1000\r\n".encode())
    assert read_standard_population(path).populations == (3000.0, 1000.0)
    for body, message in [
        ("age_band,population\n0-4,nan\n", "line 2: population must be a number greater than zero"),
        ("age_band,population\n0-4,inf\n", "line 2: population must be a number greater than zero"),
        ("age_band,population\n0-4\n", "line 2: 1 fields, not 2"),
    ]:
        path.write_text(body)
        with pytest.raises(ValueError, match=message):
            read_standard_population(path)
    path.write_bytes(b"age_band,population\n0-4,10\n5+,\xe9\n")
    with pytest.raises(ValueError, match=r"mine\.csv: not UTF-8 text"):
        read_standard_population(path)
