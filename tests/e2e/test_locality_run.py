"""End to end: `perfreport demo` in a fresh copy of the project, then what a reader gets."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from perfreport.methods.rounding import format_number
from tests.helpers import (
    FIND_WORKER,
    QUARTER,
    SLUGS,
    image_alts,
    insert_cell,
    run_cli,
    start_cli,
)

pytestmark = pytest.mark.e2e


def report(project: Path, slug: str, name: str = "report.html") -> Path:
    return project / "outputs" / "locality" / QUARTER / slug / name


@pytest.mark.parametrize("slug", SLUGS)
def test_every_area_gets_html_and_pdf(built, slug):
    html, pdf = report(built, slug), report(built, slug, "report.pdf")
    assert html.stat().st_size > 50_000
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not (built / "outputs" / "failed").exists()
    assert not (built / "outputs" / ".staging").exists()  # no half-built report left behind


@pytest.mark.parametrize("slug", SLUGS)
def test_html_holds_no_code(built, slug):
    html = report(built, slug).read_text(encoding="utf-8")
    for code in (
        "LocalityReport",
        "report.headline_table",
        "from perfreport",
        "import ",
        "<pre",
        "jp-InputArea",
        "In&nbsp;[",
        "Traceback",
        "No description has been provided",
    ):
        assert code not in html, code
    assert html.count("<h1>") == 1
    assert '<html lang="en-GB">' in html


def test_rural_stirling_report_content(built):
    html = report(built, "rural-stirling").read_text(encoding="utf-8")
    assert "<title>Locality report: Rural Stirling, Q4 2024/25</title>" in html
    assert "<h1>Locality report: Rural Stirling, Q4 2024/25</h1>" in html
    for caption in (
        "Outcomes: latest value, target and status, Rural Stirling",
        "Stakeholders: latest value, target and status, Rural Stirling",
        "Indicators by target status, Rural Stirling, Q4 2024/25",
    ):
        assert f"<caption>{caption}</caption>" in html
    assert '<h2 id="trends-by-scorecard-section">Trends by scorecard section</h2>' in html
    alts = image_alts(html)
    assert len(alts) == 5  # a trend chart per scorecard section, then the funnel plots
    assert all(alt.startswith("Line charts, one per indicator, of the ") for alt in alts[:4])
    assert alts[4].startswith("Funnel plots comparing the localities of Clackmannanshire")
    assert "Management Indicators section (1 indicator) for Rural Stirling" in alts[2]
    assert "Rural Stirling compared with Clackmannanshire and Stirling and Scotland" in html


def test_headline_value_matches_an_independent_calculation(built):
    """Complaints answered in 20 working days, Rural Stirling, Q4 2024/25, from the demo CSV."""
    demo = pd.read_csv(built / "data" / "demo" / "observations.csv")
    rows = demo[
        (demo.indicator_id == "L-COM-01")
        & (demo.area_code == "CS-RST")
        & (demo.breakdown == "all")
        & demo.period_start.isin(["2025-01-01", "2025-02-01", "2025-03-01"])
    ]
    assert len(rows) == 3
    expected = format_number(rows.numerator.sum() / rows.denominator.sum() * 100, 1) + "%"
    html = report(built, "rural-stirling").read_text(encoding="utf-8")
    row = re.search(
        r'<th scope="row">Complaints responded to within 20 working days</th>(.*?)</tr>', html
    )
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells[0] == "Q4 2024/25"
    assert cells[1] == expected
    assert cells[2] == "At least 80.0%"


def test_count_targets_are_not_applied_to_a_locality(built):
    locality = report(built, "rural-stirling").read_text(encoding="utf-8")
    partnership = report(built, "clackmannanshire-and-stirling").read_text(encoding="utf-8")
    row = r'<th scope="row">Delayed discharge bed days</th><td>Q4 2024/25</td><td class="num">[\d,]+</td><td>{}</td>'
    assert re.search(row.format("None"), locality)
    assert re.search(row.format("At most 4,200"), partnership)  # 1,400 a month over three months


def test_pdf_is_tagged_with_title_language_and_page_numbers(built):
    reader = PdfReader(report(built, "rural-stirling", "report.pdf"))
    assert reader.metadata.title == "Locality report: Rural Stirling, Q4 2024/25"
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Locality report: Rural Stirling, Q4 2024/25" in cover
    assert "Page 1 of" not in cover  # the cover has no page number
    second = reader.pages[1].extract_text()
    assert f"Page 2 of {len(reader.pages)}" in second
    assert "Locality report: Rural Stirling, Q4 2024/25" in second  # running header


def test_same_inputs_give_byte_identical_html(built, tmp_path):
    project = tmp_path / "again"
    shutil.copytree(built, project)  # the rebuild must not change what later tests read
    before = report(project, "urban-stirling").read_bytes()
    report(project, "urban-stirling", "provenance.json").unlink()  # force a rebuild
    result = run_cli(
        "run", "locality", "--period", QUARTER, "--area", "CS-UST", "--jobs", "1", cwd=project
    )
    assert result.code == 0, result.stderr
    assert "1 of 1 reports built" in result.stdout
    assert report(project, "urban-stirling").read_bytes() == before


def test_a_failing_notebook_leaves_the_published_report_alone(built, tmp_path):
    project = tmp_path / "broken"
    shutil.copytree(built, project)
    published = report(project, "clackmannanshire").read_bytes()
    insert_cell(project, "1 / 0")
    result = run_cli(
        "run", "locality", "--period", QUARTER, "--area", "CS-CLK", "--jobs", "1", cwd=project
    )
    assert result.code == 1
    assert "0 of 1 reports built" in result.stdout
    assert re.search(
        r"failed: locality/2024-25-Q4/clackmannanshire: cell \d+: ZeroDivisionError", result.stderr
    )
    kept = project / "outputs" / "failed" / "locality" / QUARTER / "clackmannanshire"
    error = (kept / "error.txt").read_text()
    first = error.splitlines()[0]
    assert re.fullmatch(r"cell \d+: ZeroDivisionError: division by zero", first)
    # the whole traceback from the executed notebook, without IPython's colour codes
    assert 'Exception encountered at "In [' in error
    assert "Traceback (most recent call last)" in error and "----> 1 1 / 0" in error
    assert "\x1b[" not in error
    executed = json.loads((kept / "notebook.ipynb").read_text())
    assert any(
        o.get("ename") == "ZeroDivisionError"
        for c in executed["cells"]
        for o in c.get("outputs", [])
    )
    banner = [
        c for c in executed["cells"] if "An Exception was encountered at" in "".join(c["source"])
    ]
    assert banner and banner[0]["cell_type"] == "markdown"  # papermill's error banner
    assert report(project, "clackmannanshire").read_bytes() == published
    assert not (project / "outputs" / ".staging").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--period", "2024/25"],
            "parameter '--period': 2024/25 is a financial_year; cycle 'locality' reports a quarter",
        ),
        (["--period", "Q5 2024/25"], "parameter '--period': 'Q5 2024/25' is not a period"),
        (
            ["--area", "S92000003"],
            "parameter '--area': cycle 'locality' does not report on country S92000003",
        ),
        (["--area", "XX"], "parameter '--area': 'XX' is not in params/areas.yaml"),
    ],
)
def test_bad_run_parameters_are_one_line_with_status_2(built, args, message):
    result = run_cli("run", "locality", *args, cwd=built)
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"perfreport: error: {message}"), lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_cycle_is_a_user_error(built):
    result = run_cli("run", "weekly", cwd=built)
    assert result.code == 2
    assert (
        "cycle 'weekly' is not in params/cycles.yaml; known cycles: monthly, quarterly, locality, annual, scorecard, strategic"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("notebook", "heading"),
    [
        ("locality", "Locality report: Clackmannanshire and Stirling, Q4 2024/25"),
        ("monthly", "Monthly key performance measures: Clackmannanshire and Stirling, March 2025"),
        (
            "quarterly",
            "Quarterly key performance report: Clackmannanshire and Stirling, Q4 2024/25",
        ),
        ("annual", "Annual performance report: Clackmannanshire and Stirling, 2024/25"),
        ("scorecard", "Balanced scorecard overview: Clackmannanshire and Stirling, 2024/25"),
        ("strategic", "Strategic performance report: Clackmannanshire and Stirling, H2 2024/25"),
    ],
)
def test_notebook_runs_top_to_bottom_with_its_defaults_as_in_jupyterlab(
    built, tmp_path, notebook, heading
):
    """JupyterLab starts the kernel in notebooks/; the defaults must find the project and data."""
    import papermill

    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(built / "notebooks" / f"{notebook}.ipynb"),
        str(out),
        cwd=str(built / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    executed = json.loads(out.read_text())
    shown = "".join(
        "".join(o.get("data", {}).get("text/html", ""))
        for c in executed["cells"]
        for o in c.get("outputs", [])
    )
    assert f"<h1>{heading}</h1>" in shown
    assert not any(
        o.get("output_type") == "error" for c in executed["cells"] for o in c.get("outputs", [])
    )


def test_reports_read_prepared_results_and_never_recompute(built, tmp_path):
    project = tmp_path / "edited"
    shutil.copytree(built, project)
    import duckdb

    with duckdb.connect(str(project / "data" / "warehouse.duckdb")) as con:
        for table in ("results", "disclosed"):  # the totals, and the same after disclosure control
            con.execute(
                f"UPDATE {table} SET target_reason = 'marked by the test', value = 12.345 WHERE indicator_id = 'L-COM-01' "
                "AND area_code = 'CS-RST' AND breakdown = 'all' AND period_label = 'Q4 2024/25'"
            )
        from perfreport.assess.digests import store_digests

        store_digests(con)  # as 'perfreport prepare' does after writing the tables
    result = run_cli(
        "run", "locality", "--period", QUARTER, "--area", "CS-RST", "--jobs", "1", cwd=project
    )
    assert result.code == 0, result.stderr
    html = report(project, "rural-stirling").read_text(encoding="utf-8")
    row = re.search(
        r'<th scope="row">Complaints responded to within 20 working days</th>(.*?)</tr>', html
    )
    assert "12.3%" in row.group(1) and "Marked by the test" in row.group(1)


def test_manifest_index_and_open_data(built):
    manifest = json.loads((built / "outputs" / "manifest.json").read_text())
    entry = manifest["reports"][f"locality/{QUARTER}/rural-stirling"]
    assert entry["notebook"] == "notebooks/locality.ipynb"
    assert entry["parameters"] == {"area": "CS-RST", "period": QUARTER}
    assert set(entry["inputs"]) == {
        "notebook",
        "data",
        "templates",
        "params",
        "perfreport",
        "parameters",
    }
    assert entry["packages"]["weasyprint"] and entry["started"] <= entry["ended"]
    assert len(manifest["reports"]) == 9
    index = (built / "outputs" / "index.html").read_text()
    for slug in SLUGS:
        for name in ("report.html", "report.pdf", "data.csv"):
            link = f"locality/{QUARTER}/{slug}/{name}"
            assert f'href="{link}"' in index and (built / "outputs" / link).is_file()
    assert (
        '<html lang="en-GB">' in index
        and "<caption>Locality reports, 2024-25-Q4</caption>" in index
    )
    data = pd.read_csv(report(built, "rural-stirling", "data.csv"))
    # its own area, its partnership, the comparator, and the partnership's other localities
    # (its funnel plots set it among them)
    assert set(data.area_code) == {"CS-RST", "CS-CLK", "CS-UST", "S37000005", "S92000003"}
    assert pd.to_datetime(data.period_end).max() == pd.Timestamp("2025-03-31")
    html_value = data[
        (data.indicator_id == "L-COM-01")
        & (data.area_code == "CS-RST")
        & (data.period_label == "Q4 2024/25")
    ].value.item()
    assert format_number(html_value, 1) + "%" in report(built, "rural-stirling").read_text()


def test_unchanged_reports_are_not_rebuilt_and_changed_data_rebuilds_only_its_reports(
    built, tmp_path
):
    project = tmp_path / "cache"
    shutil.copytree(built, project)
    again = run_cli("run", "locality", "--period", QUARTER, cwd=project)
    assert again.code == 0 and "4 of 4 reports built (4 unchanged, not rebuilt)" in again.stdout
    import duckdb

    from perfreport.assess.digests import DIGESTS, store_digests

    with duckdb.connect(str(project / "data" / "warehouse.duckdb")) as con:
        prepared = con.execute(f"SELECT * FROM {DIGESTS} ORDER BY ALL").fetchall()
        store_digests(con)  # made from the tables alone: the same again
        assert con.execute(f"SELECT * FROM {DIGESTS} ORDER BY ALL").fetchall() == prepared
        for table in ("results", "disclosed"):  # the totals, and the same after disclosure control
            con.execute(
                f"UPDATE {table} SET value = value + 1 WHERE area_code = 'CS-CLK' AND indicator_id = 'MSG-4'"
            )
        store_digests(con)  # as 'perfreport prepare' does after writing them
    changed = run_cli("run", "locality", "--period", QUARTER, cwd=project)
    # every locality report reads every locality of its partnership (its funnel plots)
    assert changed.code == 0 and "4 of 4 reports built\n" in changed.stdout
    assert f"outputs/locality/{QUARTER}/clackmannanshire/report.html  (built in" in changed.stdout
    assert f"outputs/locality/{QUARTER}/rural-stirling/report.html  (built in" in changed.stdout
    # of the other cycles only the annual report reads the localities' data
    every = run_cli("run", "--all", cwd=project)
    assert every.code == 0 and "9 of 9 reports built (8 unchanged, not rebuilt)" in every.stdout
    assert "outputs/annual/FY2024-25/clackmannanshire-and-stirling/report.html  (built in" in (
        every.stdout
    )
    # and a second run with nothing changed does no work
    assert "(9 unchanged, not rebuilt)" in run_cli("run", "--all", cwd=project).stdout


def test_a_second_run_on_the_same_outputs_is_refused(built, tmp_path):
    project = tmp_path / "locked"
    shutil.copytree(built, project)
    import subprocess
    import sys

    hold = (
        "import fcntl, os, sys, time; f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX); "
        "f.seek(0); f.truncate(); f.write(sys.argv[2] or str(os.getpid())); f.flush(); "
        "print('locked', flush=True); time.sleep(float(sys.argv[3]))"
    )

    def holding(recorded: str, seconds: float) -> subprocess.Popen:
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                hold,
                str(project / "outputs" / ".perfreport-run.lock"),
                recorded,
                str(seconds),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout.readline().strip() == "locked"
        return holder

    holder = holding("", 30)
    try:
        result = run_cli("run", "locality", "--period", QUARTER, cwd=project)
        assert result.code == 2
        assert result.stderr.strip() == (
            f"perfreport: error: {project / 'outputs'}: another perfreport run is building "
            f"reports here (pid {holder.pid}); try again when it has finished"
        )
    finally:
        holder.kill()
        holder.wait()
    assert run_cli("run", "locality", "--period", QUARTER, cwd=project).code == 0
    # a run that died recorded its pid; what it left behind lets go of the lock a moment later
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    holder = holding(str(gone.pid), 1)
    try:
        result = run_cli("run", "locality", "--period", QUARTER, cwd=project)
    finally:
        holder.wait()
    assert result.code == 0, result.stderr
    assert f"the previous run (pid {gone.pid}) stopped before it finished" in result.stderr


def test_parameters_are_checked_against_the_notebooks_parameters_cell(built, tmp_path):
    project = tmp_path / "params"
    shutil.copytree(built, project)
    notebook = project / "notebooks" / "locality.ipynb"
    nb = json.loads(notebook.read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = [line for line in cell["source"] if not line.startswith("period")]
    notebook.write_text(json.dumps(nb))
    result = run_cli("run", "locality", "--period", QUARTER, cwd=project)
    assert result.code == 2
    assert result.stderr.strip() == (
        "perfreport: error: notebooks/locality.ipynb: parameter 'period' is not in the notebook's "
        "parameters cell (it declares area, project)"
    )


RESTART = (
    "import ipykernel, jupyter_client, time\n"
    "c = jupyter_client.BlockingKernelClient(connection_file=ipykernel.get_connection_file())\n"
    "c.load_connection_file()\nc.start_channels()\nc.shutdown(restart=True)\ntime.sleep(2)"
)


FAILURES = {
    "sys-exit-3": ("import sys\nsys.exit(3)", "SystemExit: 3"),
    "sys-exit-0": (
        "import sys\nsys.exit(0)",
        "SystemExit: 0 (the notebook stopped before its end)",
    ),
    "system-exit-none": ("raise SystemExit(None)", "SystemExit: None"),
    # the kernel leaves after the cell: whichever is noticed first
    "exit": ("exit()", "the notebook asked its kernel to exit (exit() or quit())|DeadKernelError"),
    "quit": ("quit()", "the notebook asked its kernel to exit (exit() or quit())|DeadKernelError"),
    "os-exit-0": ("import os\nos._exit(0)", "DeadKernelError"),
    "dead-kernel": ("import os\nos._exit(1)", "DeadKernelError"),
    "kernel-restart": (RESTART, "DeadKernelError"),
    "timeout": ("import time\ntime.sleep(60)", "CellTimeoutError"),
}
"""Every kind of notebook failure, each built as one area's report (four areas to a run)."""
AREAS = dict(zip(SLUGS, ["S37000005", "CS-CLK", "CS-RST", "CS-UST"], strict=True))
TWO = ("--area", "S37000005", "--area", "CS-CLK")
"""Two of the locality cycle's areas, built one after the other."""


@pytest.mark.parametrize(
    "kinds",
    [list(FAILURES)[:4], list(FAILURES)[4:8], list(FAILURES)[8:]],
    ids=lambda kinds: "+".join(kinds),
)
def test_every_kind_of_notebook_failure_marks_the_job_failed(built, tmp_path, kinds):
    """A job succeeds only if every code cell ran, in order, without error: papermill's own
    check lets sys.exit(0), exit() and quit() through. Each kind fails its own area's report."""
    project = tmp_path / "failing"
    shutil.copytree(built, project)
    slugs = SLUGS[: len(kinds)]
    published = {slug: report(project, slug).read_bytes() for slug in slugs}
    cycles = project / "params" / "cycles.yaml"
    cycles.write_text(cycles.read_text().replace("timeout_seconds: 600", "timeout_seconds: 5"))
    cell = "".join(
        f"if area == {AREAS[slug]!r}:\n" + textwrap.indent(FAILURES[kind][0], "    ") + "\n"
        for slug, kind in zip(slugs, kinds, strict=True)
    )
    insert_cell(project, cell)
    chosen = [a for slug in slugs for a in ("--area", AREAS[slug])]
    result = run_cli("run", "locality", "--period", QUARTER, *chosen, "--jobs", "2", cwd=project)
    assert result.code == 1
    assert f"0 of {len(kinds)} reports built" in result.stdout
    for slug, kind in zip(slugs, kinds, strict=True):
        kept = project / "outputs" / "failed" / "locality" / QUARTER / slug
        line = (kept / "error.txt").read_text().splitlines()[0]
        assert any(e in line for e in FAILURES[kind][1].split("|")), (kind, line)
        assert f"failed: locality/{QUARTER}/{slug}: {line} (notebook kept in" in result.stderr
        assert (kept / "notebook.ipynb").is_file()
        assert report(project, slug).read_bytes() == published[slug]
    manifest = json.loads((project / "outputs" / "manifest.json").read_text())["reports"]
    assert len(manifest) == 9  # the published reports are still listed


def test_an_interrupted_run_leaves_no_half_written_report_and_the_next_resumes(built, tmp_path):
    import os
    import signal
    import subprocess
    import time

    project = tmp_path / "interrupted"
    shutil.copytree(built, project)
    shutil.rmtree(project / "outputs" / "locality")
    staging = project / "outputs" / ".staging"
    run = start_cli(
        "run",
        "locality",
        "--period",
        QUARTER,
        *TWO,
        "--jobs",
        "1",
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its kernels too, so the kill takes the whole run down
    )
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            published = [s for s in SLUGS[:2] if report(project, s).exists()]
            if published and staging.is_dir() and any(staging.iterdir()):
                break  # one report published, the next one half-built
            assert run.poll() is None, "the run finished before it could be interrupted"
            time.sleep(0.05)
        else:
            raise AssertionError("the run never got one report built and started the next")
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()

    published = [s for s in SLUGS[:2] if (report(project, s).parent).exists()]
    assert len(published) == 1
    for slug in published:  # whatever is in place is whole
        folder = report(project, slug).parent
        assert {"report.html", "report.pdf", "data.csv", "provenance.json"} <= {
            p.name for p in folder.iterdir()
        }
        assert report(project, slug).read_text().rstrip().endswith("</html>")

    again = run_cli("run", "locality", "--period", QUARTER, *TWO, "--jobs", "1", cwd=project)
    assert again.code == 0, again.stderr
    assert "2 of 2 reports built (1 unchanged, not rebuilt)" in again.stdout
    assert not staging.exists()
    assert all(report(project, s).exists() for s in SLUGS[:2])
    manifest = json.loads((project / "outputs" / "manifest.json").read_text())["reports"]
    assert len(manifest) == 5 + 2  # the other cycles' reports and the two rebuilt


def _in_project(project: Path) -> list:
    """Live processes working in the project folder (workers and kernels start there)."""
    import os

    import psutil

    where, found = os.path.realpath(project), []
    for process in psutil.process_iter(["cwd", "status"]):
        cwd, status = process.info["cwd"], process.info["status"]
        if cwd and os.path.realpath(cwd) == where and status != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


KILL_WORKER = FIND_WORKER + (
    "import signal\nif area == 'CS-RST':\n    os.kill(worker.pid, signal.SIGKILL)"
)


def test_a_notebook_that_kills_its_worker_fails_only_its_own_report(built, tmp_path):
    import time

    project = tmp_path / "killer"
    shutil.copytree(built, project)
    published = {slug: report(project, slug).read_bytes() for slug in SLUGS}
    insert_cell(project, KILL_WORKER)  # a changed notebook: every report is built again

    result = run_cli("run", "locality", "--period", QUARTER, "--jobs", "2", cwd=project)

    assert result.code == 1, result.stderr
    assert "3 of 4 reports built" in result.stdout, result.stdout
    for slug in set(SLUGS) - {"rural-stirling"}:
        assert f"outputs/locality/{QUARTER}/{slug}/report.html  (built in" in result.stdout
    assert "BrokenProcessPool" not in result.stdout + result.stderr
    failed = re.findall(r"failed: (\S+): (.*) \(notebook kept in", result.stderr)
    assert failed == [
        (
            f"locality/{QUARTER}/rural-stirling",
            "its worker process died (signal 9) while building it",
        )
    ]
    kept = project / "outputs" / "failed" / "locality" / QUARTER / "rural-stirling"
    error = (kept / "error.txt").read_text()
    assert error.startswith("its worker process died (signal 9) while building it\n\n")
    assert "died each of the 2 times it was tried" in error
    assert "when its worker died:\n" + KILL_WORKER in error  # the cell that was running
    assert (kept / "notebook.ipynb").is_file()
    assert report(project, "rural-stirling").read_bytes() == published["rural-stirling"]
    manifest = json.loads((project / "outputs" / "manifest.json").read_text())["reports"]
    assert len(manifest) == 9
    assert not (project / "outputs" / ".staging").exists()
    deadline = time.monotonic() + 5  # a dead worker's kernel notices within a second
    while _in_project(project) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _in_project(project) == []


HIDE_ERRORS = (
    "get_ipython().set_custom_exc((Exception,), lambda *a, **k: print('handled quietly'))\n"
    "print('looking up the area')\n"
    "{}['missing']"
)


def test_an_error_a_custom_exception_handler_hid_is_named_with_its_evidence(built, tmp_path):
    project = tmp_path / "hidden"
    shutil.copytree(built, project)
    insert_cell(project, HIDE_ERRORS)
    result = run_cli(
        "run", "locality", "--period", QUARTER, "--area", "CS-CLK", "--jobs", "1", cwd=project
    )
    assert result.code == 1
    kept = project / "outputs" / "failed" / "locality" / QUARTER / "clackmannanshire"
    error = (kept / "error.txt").read_text()
    line = error.splitlines()[0]
    assert re.fullmatch(
        r"cell \d+: KeyError: 'missing' \(a custom exception handler hid its error output\)", line
    ), line
    assert f"failed: locality/{QUARTER}/clackmannanshire: {line} (notebook kept in" in (
        result.stderr
    )
    assert "set_custom_exc" in error and HIDE_ERRORS in error  # the cell
    assert "looking up the area\nhandled quietly" in error  # and what it printed
    assert 'Exception encountered at "In [' in error  # papermill's own account


def test_a_changed_target_is_prepared_again_before_the_reports_are_built(built, tmp_path):
    project = tmp_path / "target"
    shutil.copytree(built, project)
    catalogue = project / "params" / "catalogue" / "local.yaml"
    before = "target: {value: 85, unit: percent, kind: min, source: Carers Strategy}"
    text = catalogue.read_text(encoding="utf-8")
    assert before in text
    catalogue.write_text(text.replace(before, before.replace("85", "90")), encoding="utf-8")
    result = run_cli(
        "run", "locality", "--period", QUARTER, "--area", "CS-RST", "--jobs", "1", cwd=project
    )
    assert result.code == 0, result.stderr
    data = project / "outputs" / "locality" / QUARTER / "rural-stirling" / "data.csv"
    rows = pd.read_csv(data, dtype=str)
    shown = set(rows.loc[rows["indicator_id"] == "L-CAR-02", "target_text"])
    assert shown == {"at least 90.0%"}, shown  # the new target, not the prepared one
