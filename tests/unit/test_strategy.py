"""The strategic report's inputs: params/strategic.yaml validation and Likert summaries."""

from __future__ import annotations

import math

import pytest
import yaml

from perfreport.config.strategy import Question, likert_summary, load_strategy
from perfreport.errors import PerfreportError
from tests.helpers import REPO


@pytest.fixture
def strategy_file(tmp_path):
    def write(change) -> object:
        doc = yaml.safe_load((REPO / "params" / "strategic.yaml").read_text())
        change(doc)
        path = tmp_path / "strategic.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return path

    return write


def test_the_shipped_strategy_is_valid(catalogue):
    strategy = load_strategy(REPO / "params" / "strategic.yaml", catalogue)
    assert [o.id for o in strategy.outcomes] == [1, 2, 3, 4]
    assert [p.ref for p in strategy.projects_of(1)] == ["1a", "1b", "1c"]
    assert strategy.survey is not None and strategy.survey.population == 6200


def test_likert_summary_by_hand():
    q = Question(id="Q", text="Text", scale="agree", responses=(402, 611, 188, 97, 54))
    s = likert_summary(q, population=6200)
    assert s.total == 1352
    assert s.positive == pytest.approx(100 * 1013 / 1352)
    assert s.negative == pytest.approx(100 * 151 / 1352)
    p = 1013 / 1352
    fpc = math.sqrt((6200 - 1352) / (6200 - 1))
    assert s.margin == pytest.approx(100 * 1.959963984540054 * math.sqrt(p * (1 - p) / 1352) * fpc)
    assert s.describe() == (
        "75% agreed (30% strongly), 11% disagreed; 1,352 responses, margin of error ±2.0 points"
    )
    unsure = Question(id="S", text="Text", scale="satisfied", responses=(0, 0, 10, 0, 0))
    assert likert_summary(unsure).describe().startswith("0% satisfied (0% very), 0% unsatisfied")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["outcomes"][0]["priorities"][0]["measures"][0].update(indicator="NOPE"),
            r"strategic.yaml:\d+: outcome 1: field 'indicator': 'NOPE' is not in the indicator catalogue",
        ),
        (
            lambda d: d["outcomes"][1]["priorities"][0]["measures"][2].update(question="Q9"),
            r"outcome 2: field 'question': 'Q9' is not a survey question",
        ),
        (
            lambda d: d["projects"][0].update(ref="2a"),
            r"project 2a: field 'ref': an outcome 1 project is numbered 1a, 1b",
        ),
        (
            lambda d: d["projects"][1].update(ref="1a"),
            r"project 1a: field 'ref': duplicate reference",
        ),
        (
            lambda d: d["survey"]["questions"][0].update(responses=[1, 2, 3]),
            r"strategic.yaml:\d+: .*responses",
        ),
        (
            lambda d: d["outcomes"][0]["priorities"][0]["measures"][0].update(question="Q1"),
            r"give exactly one of 'indicator' or 'question'",
        ),
        (
            lambda d: d["survey"].update(population=50),
            r"strategic.yaml:\d+: survey: field 'population': 50 people invited is fewer than "
            r"the 1,352 responses to question Q1; the population is the number invited",
        ),
        (
            lambda d: d["survey"]["questions"][3].update(id="Q1"),
            r"strategic.yaml:\d+: question Q1: field 'id': duplicate id, give each question "
            r"its own",
        ),
        (
            lambda d: d["outcomes"][2].update(id=2),
            r"strategic.yaml:\d+: outcome 2: field 'id': duplicate id, give each outcome its own",
        ),
    ],
)
def test_mistakes_are_one_line_naming_the_line_and_field(strategy_file, catalogue, change, message):
    with pytest.raises(PerfreportError, match=message) as caught:
        load_strategy(strategy_file(change), catalogue)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("below", [1, 0])
def test_the_loader_refuses_the_populations_the_margin_of_error_refuses(
    strategy_file, catalogue, below
):
    """Check and report agree: the loader accepts a population exactly when the strategic
    report's margin of error (stats.margin_of_error) can use it."""
    shipped = load_strategy(REPO / "params" / "strategic.yaml", catalogue)
    assert shipped.survey is not None
    most = max(sum(q.responses) for q in shipped.survey.questions)
    population = most - below
    path = strategy_file(lambda d: d["survey"].update(population=population))
    if below:
        with pytest.raises(PerfreportError, match="people invited is fewer than"):
            load_strategy(path, catalogue)
        largest = max(shipped.survey.questions, key=lambda q: sum(q.responses))
        with pytest.raises(ValueError, match="population must be at least n"):
            likert_summary(largest, population)
    else:
        survey = load_strategy(path, catalogue).survey
        assert survey is not None
        assert all(likert_summary(q, survey.population).margin >= 0 for q in survey.questions)
