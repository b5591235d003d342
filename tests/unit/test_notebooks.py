"""Notebooks are committed clean and thin, with a parameters cell whose defaults are valid."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from perfreport.periods import parse_period
from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["locality.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_narrates_and_the_package_computes(path: Path):
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    for source in code:
        tree = ast.parse(source)
        assert not any(
            isinstance(n, ast.FunctionDef | ast.ClassDef | ast.For | ast.While)
            for n in ast.walk(tree)
        )
        assert len(source.splitlines()) <= 5
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_typed_commented_and_valid(path: Path, areas):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = [ln for ln in tagged[0].source.splitlines() if not ln.startswith("#")]
    for line in lines:
        assert re.match(r"^\w+: \w+ = .+  # .+", line), f"untyped or uncommented parameter: {line}"
    defaults = {}
    exec(tagged[0].source, {}, defaults)
    assert defaults["area"] in areas
    assert parse_period(defaults["period"]).kind == "quarter"
