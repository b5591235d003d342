"""One locality report built with ``--renderer quarto`` against a fake ``quarto`` (real Quarto
cannot be installed on these machines): the notebook is executed as ever, Quarto is called on
the job's project, and the report folder, its provenance and the site are those of any
report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import yaml

from tests.helpers import QUARTER, fake_quarto, quarto_calls, run_cli


def test_a_quarto_report_is_published_as_any_other(built: Path, tmp_path: Path):
    project = shutil.copytree(built, tmp_path / "project", symlinks=True)
    folder = tmp_path / "bin"
    fake = fake_quarto(folder)
    env = {"PATH": f"{folder}:{os.environ['PATH']}"}
    args = ("run", "locality", "--period", QUARTER, "--area", "CS-RST", "--renderer", "quarto")
    result = run_cli(*args, "--jobs", "1", cwd=project, env=env)
    assert result.code == 0, result.stderr
    assert "1 of 1 reports built" in result.stdout

    (call,) = quarto_calls(folder)
    assert call[:2] == [str(fake), "render"] and call[3:] == ["--no-execute"]
    assert Path(call[2]).name == "quarto" and ".staging" in call[2]
    report = project / "outputs" / "locality" / QUARTER / "rural-stirling"
    assert sorted(p.name for p in report.iterdir()) == [
        "data.csv",
        "notebook.ipynb",
        "provenance.json",
        "report.html",
        "report.pdf",
    ]
    assert (report / "report.pdf").read_bytes() == b"%PDF-1.7 fake"
    record = json.loads((report / "provenance.json").read_text(encoding="utf-8"))
    assert record["inputs"]["renderer"] == "quarto 9.9.9-fake"
    before = json.loads(
        (built / "outputs/locality" / QUARTER / "rural-stirling/provenance.json").read_text()
    )
    assert record["cache_key"] != before["cache_key"] and "renderer" not in before["inputs"]
    notebook = nbformat.read(report / "notebook.ipynb", as_version=4)
    assert sum(c.cell_type == "code" and bool(c.outputs) for c in notebook.cells) > 3
    manifest = yaml.safe_load((project / "outputs" / "manifest.json").read_text())
    assert f"locality/{QUARTER}/rural-stirling" in json.dumps(manifest)

    again = run_cli(*args, cwd=project, env=env)  # nothing changed: nothing rendered
    assert again.code == 0 and len(quarto_calls(folder)) == 1, again.stdout
