"""Every report notebook run in JupyterLab as an analyst runs it: ``jupyter lab`` on 127.0.0.1
with a token serving a copy of the built demo, each notebook opened in Debian's Chromium and
run from Run > Run All Cells (tests/a11y/lab.py and lab.mjs), with a notebook that fails on
purpose beside them to show that the check sees a failure."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest
from PIL import Image

from tests.a11y.lab import copy_project, problems, run_notebooks
from tests.helpers import REPO

REPORTS = sorted(path.name for path in (REPO / "notebooks").glob("*.ipynb"))
FAILING = "deliberate-error.ipynb"


def _failing_notebook(path: Path) -> None:
    """A warning on stderr (not an error), a cell that raises, and a cell after it."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_code_cell('import sys\nprint("a warning, not an error", file=sys.stderr)'),
        nbformat.v4.new_code_cell('raise ValueError("a deliberate error")'),
        nbformat.v4.new_code_cell("1 + 1"),
    ]
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def lab(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The JupyterLab run of every report notebook and the failing one, in a copy of the demo."""
    root = copy_project(built, tmp_path_factory.mktemp("lab") / "project")
    _failing_notebook(root / "notebooks" / FAILING)
    before = {path.name: path.read_bytes() for path in (root / "notebooks").glob("*.ipynb")}
    names = [f"notebooks/{name}" for name in [*REPORTS, FAILING]]
    results = run_notebooks(root, names, tmp_path_factory.mktemp("lab-screenshots"))
    return {
        "root": root,
        "before": before,
        "results": {Path(result["notebook"]).name: result for result in results},
    }


@pytest.mark.parametrize("name", REPORTS)
def test_every_cell_of_each_report_notebook_runs_without_an_error(lab: dict, name: str) -> None:
    result = lab["results"][name]
    code_cells = [
        c for c in nbformat.read(REPO / "notebooks" / name, 4).cells if c.cell_type == "code"
    ]
    assert result["cells"] == len(code_cells) > 3
    assert problems(result) == []
    assert result["errors"] == result["stderr"] == result["unrendered"] == []
    # one kernel, the cells run in order: [1]: to [n]:
    assert result["counts"] == [f"[{n}]:" for n in range(1, len(code_cells) + 1)]


@pytest.mark.parametrize("name", REPORTS)
def test_each_screenshot_is_the_whole_notebook_with_its_outputs(lab: dict, name: str) -> None:
    with Image.open(lab["results"][name]["screenshot"]) as image:
        width, height = image.size
        colours = image.convert("RGB").resize((64, 256)).getcolors(64 * 256)
    assert width == 1280
    # the window is 900 pixels high; a report's tables and charts make it several times that
    assert height > 3000
    assert colours is None or len(colours) > 50  # not a blank page


def test_the_check_fails_on_a_cell_with_an_error_and_the_cells_it_stopped(lab: dict) -> None:
    result = lab["results"][FAILING]
    assert problems(result) == [
        "notebooks/deliberate-error.ipynb: cell 2 failed with ValueError: a deliberate error",
        "notebooks/deliberate-error.ipynb: cell 3 did not run (its prompt is '[ ]:')",
    ]
    # the error as the page shows it, in the stderr rendering a stream to stderr shares
    assert result["errors"] == [
        {"cell": 1, "ename": "ValueError", "evalue": "a deliberate error", "shown": True}
    ]
    assert result["stderr"] == [{"cell": 0, "text": "a warning, not an error\n"}]
    assert result["counts"] == ["[1]:", "[2]:", "[ ]:"]
    assert result["unrendered"] == []


def test_an_output_that_failed_to_render_and_an_error_hidden_from_the_page_are_problems() -> None:
    result = {
        "notebook": "notebooks/n.ipynb",
        "counts": ["[1]:", "[2]:"],
        "errors": [{"cell": 0, "ename": "KeyError", "evalue": "'x'", "shown": False}],
        "unrendered": [{"cell": 1, "type": "display_data", "text": "Javascript Error:\n  boom"}],
    }
    assert problems(result) == [
        "notebooks/n.ipynb: cell 1 failed with KeyError: 'x' (not shown as an error output)",
        "notebooks/n.ipynb: cell 2 has a display_data output that failed to render: "
        "Javascript Error: boom",
    ]


def test_the_run_saves_no_notebook_and_leaves_the_repository_alone(lab: dict) -> None:
    notebooks = lab["root"] / "notebooks"
    after = {path.name: path.read_bytes() for path in notebooks.glob("*.ipynb")}
    assert after == lab["before"]
    for name in REPORTS:
        assert after[name] == (REPO / "notebooks" / name).read_bytes()
        cells = json.loads(after[name])["cells"]
        assert [c.get("outputs") for c in cells if c["cell_type"] == "code"] == [[]] * len(
            [c for c in cells if c["cell_type"] == "code"]
        )
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "notebooks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""
