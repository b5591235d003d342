"""Notebooks are committed clean and thin, with a parameters cell whose defaults are valid."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from perfreport.build.notebook_parameters import declared_parameters
from perfreport.config.cycles import load_cycles
from perfreport.methods.periods import parse_period
from tests.helpers import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CYCLES = load_cycles(REPO / "params" / "cycles.yaml", REPO)


def test_every_cycle_has_its_notebook():
    cycles = load_cycles(REPO / "params" / "cycles.yaml", REPO)
    assert sorted(c.id for c in cycles.items) == sorted(
        ["monthly", "quarterly", "locality", "annual", "scorecard", "strategic"]
    )
    assert sorted(c.notebook for c in cycles.items) == [f"notebooks/{p.name}" for p in NOTEBOOKS]


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
    cycle = nb.metadata["perfreport"]["cycle"]
    assert parse_period(defaults["period"]).kind == CYCLES.get(cycle).period
    assert declared_parameters(path) == {"area": "str", "period": "str", "project": "str"}


def test_declared_parameters_match_papermills_reading(tmp_path):
    import papermill

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        'area: str = "S37000005"  # typed\nyears = 5  # untyped int\nshare = 0.5\nflag: bool = True'
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    declared = declared_parameters(path)
    assert declared == {"area": "str", "years": "int", "share": "float", "flag": "bool"}
    # the same names as papermill, and the same types where the cell annotates them
    # (papermill leaves an unannotated one's type as None; we take the value's)
    inspected = papermill.inspect_notebook(str(path))
    assert declared.keys() == inspected.keys()
    assert {k: declared[k] for k in ("area", "flag")} == {
        k: inspected[k]["inferred_type_name"] for k in ("area", "flag")
    }
