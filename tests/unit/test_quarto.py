"""The optional Quarto renderer (perfreport.build.quarto): the project it writes, the command
it runs (against a fake ``quarto``: real Quarto cannot be installed on these machines), its
failures, its cache keys, and the one line without a ``quarto`` on PATH."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat
import pytest
import yaml

from perfreport.build import cache, quarto
from perfreport.build.jobs import Job, plan
from perfreport.build.render import REPORT_TEMPLATE, RenderError, ReportMeta
from perfreport.config.context import Setup
from perfreport.methods.periods import parse_period
from tests.helpers import QUARTER, copy_project, fake_quarto, quarto_calls, run_cli

META = ReportMeta(
    title="Locality report: Rural Stirling, 2024/25 Q4",
    description="Locality report for Rural Stirling, January to March 2025.",
    organisation="Clackmannanshire & Stirling HSCP",
    footer="unused by Quarto",
)
CHART = '<figure><img src="data:image/png;base64,AAAA" alt="Falls rose in March"></figure>'
MISSING_LINE = (
    "perfreport: error: --renderer quarto: no 'quarto' executable on PATH; install Quarto "
    "from https://quarto.org/docs/get-started/ (the PyPI quarto-cli package downloads it "
    "when installed) or use --renderer weasyprint\n"
)


def _notebook(html: str = CHART) -> nbformat.NotebookNode:
    """An executed notebook: guidance for analysts, a parameters cell, a chart, a stream."""
    v4 = nbformat.v4
    guidance = v4.new_markdown_cell("Run all cells.", metadata={"tags": ["notebook-only"]})
    code = v4.new_code_cell("show()", execution_count=2)
    code.outputs = [
        v4.new_output("display_data", data={"text/html": html + "<script>alert(1)</script>"}),
        v4.new_output("stream", name="stderr", text="a warning\n"),
    ]
    return v4.new_notebook(
        cells=[guidance, v4.new_code_cell("area = 'x'", execution_count=1), code]
    )


@pytest.fixture
def on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder first on PATH holding a fake ``quarto`` that succeeds."""
    folder = tmp_path / "bin"
    fake_quarto(folder)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    quarto.version.cache_clear()
    return folder


def test_the_project_parses_names_its_notebook_and_does_not_execute_it(tmp_path):
    folder = quarto.write_project(tmp_path / "q", _notebook(), META)
    config = yaml.safe_load((folder / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"] == {
        "type": "default",
        "render": ["report.ipynb"],
        "output-dir": "_output",
    }
    assert [p.name for p in folder.iterdir() if p.suffix == ".ipynb"] == config["project"]["render"]
    assert config["execute"]["enabled"] is False
    assert (config["title"], config["author"], config["lang"]) == (
        META.title,
        META.organisation,
        "en-GB",
    )
    assert config["description"] == META.description
    html = config["format"]["html"]
    assert html["css"] == ["report.css"] and html["embed-resources"] is True
    assert (folder / "report.css").read_bytes() == (REPORT_TEMPLATE / "report.css").read_bytes()
    assert "Content-Security-Policy" in html["include-in-header"][0]["text"]
    assert config["format"]["typst"]["papersize"] == "a4"
    assert sorted(p.name for p in folder.iterdir()) == ["_quarto.yml", "report.css", "report.ipynb"]


def test_quarto_gets_what_the_default_template_shows_and_nothing_that_runs(tmp_path):
    folder = quarto.write_project(tmp_path / "q", _notebook(), META)
    shown = nbformat.read(folder / "report.ipynb", as_version=4)
    assert [c.source for c in shown.cells] == ["area = 'x'", "show()"]
    (output,) = shown.cells[1].outputs  # the stream is gone
    assert output.data["text/html"] == CHART


def test_a_chart_without_a_text_alternative_is_refused_before_quarto_runs(tmp_path):
    with pytest.raises(RenderError, match="image 1"):
        quarto.write_project(tmp_path / "q", _notebook('<img src="data:image/png;base64,A">'), META)


def test_the_command_renders_the_project_folder_without_executing(tmp_path):
    assert quarto.render_command("/opt/quarto/bin/quarto", tmp_path / "q") == [
        "/opt/quarto/bin/quarto",
        "render",
        str(tmp_path / "q"),
        "--no-execute",
    ]


def test_render_runs_that_command_and_keeps_only_the_report_files(on_path, tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    quarto.render(_notebook(), META, staging, timeout=60)
    folder = staging / quarto.PROJECT
    assert quarto_calls(on_path) == [quarto.render_command(str(on_path / "quarto"), folder)]
    assert sorted(p.name for p in staging.iterdir()) == ["report.html", "report.pdf"]
    assert (staging / "report.pdf").read_bytes() == b"%PDF-1.7 fake"


def test_a_failing_quarto_is_one_line_with_its_output_after_it(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    fake_quarto(folder, status=3)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    (tmp_path / "staging").mkdir()
    with pytest.raises(quarto.QuartoFailed) as failed:
        quarto.render(_notebook(), META, tmp_path / "staging", timeout=60)
    first, *rest = str(failed.value).splitlines()
    assert first == "quarto render exited with status 3"
    assert rest == ["ERROR: typst compile failed"]


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> Job:
    setup = Setup.load(copy_project(tmp_path_factory.mktemp("quarto") / "project"))
    cycle = setup.cycles.get("locality")
    jobs = plan(setup.project, cycle, parse_period(QUARTER), setup.areas, "Org", ["CS-RST"])
    return jobs[0]


def test_a_quarto_report_has_a_key_of_its_own_and_the_default_key_is_unchanged(job, on_path):
    shared = {"templates": "t", "params": "p", "perfreport": "v"}
    default = cache._keyed(job, shared, "data")
    assert "renderer" not in dict(default.inputs)  # as every key was before --renderer
    keyed = cache._keyed(dataclasses.replace(job, renderer="quarto"), shared, "data")
    assert dict(keyed.inputs)["renderer"] == "quarto 9.9.9-fake"
    assert keyed.cache_key != default.cache_key


def test_without_quarto_on_path_run_stops_before_anything_with_one_line(tmp_path):
    project = copy_project(tmp_path / "project")
    result = run_cli(
        "run", "locality", "--renderer", "quarto", cwd=project, env={"PATH": str(tmp_path)}
    )
    assert (result.code, result.stderr) == (2, MISSING_LINE)
    assert not (project / "outputs").exists() and not (project / "data").exists()


def test_without_quarto_on_path_demo_loads_nothing(cli, tmp_path, monkeypatch):
    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("demo", "--renderer", "quarto", cwd=project)
    assert (result.code, result.stderr) == (2, MISSING_LINE)
    assert not (project / "data" / "warehouse.duckdb").exists()


def test_a_hanging_quarto_is_killed_with_what_it_started_and_its_output_is_bounded(tmp_path):
    """After the hostile test: a render that hangs leaves no process behind (its children
    were reparented to init), output that is not UTF-8 is read, and only its end is kept."""
    import contextlib
    import time

    import psutil

    from perfreport.build import quarto

    marker = tmp_path / "child.pid"
    script = tmp_path / "quarto"
    script.write_text(
        f"#!/bin/sh\nsleep 1000 &\necho $! > {marker}\nprintf 'caf\\351\\n'\nsleep 1000\n"
    )
    script.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(quarto._TookTooLong):
        quarto._run([str(script)], timeout=1)
    assert time.monotonic() - started < 10
    child = int(marker.read_text())
    time.sleep(0.2)
    with contextlib.suppress(psutil.NoSuchProcess):  # gone, or dead and not yet reaped
        assert psutil.Process(child).status() == psutil.STATUS_ZOMBIE
    noisy = tmp_path / "noisy"
    noisy.write_text(
        "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' x\nprintf '\\351 end'\nexit 3\n"
    )
    noisy.chmod(0o755)
    status, said = quarto._run([str(noisy)], timeout=30)
    assert status == 3 and len(said) == quarto.OUTPUT_KEPT and said.endswith("\ufffd end")
