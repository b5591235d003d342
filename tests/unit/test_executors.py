"""Choosing where a build runs, and what a job carries to a cluster's worker and back."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from perfreport.assess.slices import area_slices, whole_tables, write_warehouse
from perfreport.build.cache import tree_hash
from perfreport.build.carry import Files, folder_files, project_files, replace_project
from perfreport.build.cluster import DaskCluster
from perfreport.build.executors import LocalPool, choose
from perfreport.build.remote import installed, mismatch
from perfreport.build.scrub import for_publication
from perfreport.errors import PerfreportError
from perfreport.store.warehouse import connect


@pytest.mark.parametrize(
    ("jobs", "scheduler", "cluster", "environ", "expected"),
    [
        (3, None, None, {}, LocalPool(3)),
        (2, None, "local:4", {}, DaskCluster(local_workers=4)),
        (2, None, "local:4", {"PERFREPORT_SCHEDULER": "tcp://h:1"}, DaskCluster(local_workers=4)),
    ],
)
def test_the_options_choose_the_executor(jobs, scheduler, cluster, environ, expected):
    assert choose(jobs, scheduler, cluster, environ) == expected


def test_a_scheduler_address_from_the_environment_is_probed_before_connecting():
    chosen = choose(2, None, None, {"PERFREPORT_SCHEDULER": "tcp://127.0.0.1:1"}, 2)
    assert chosen == DaskCluster(
        address="tcp://127.0.0.1:1", connect_seconds=2, option="PERFREPORT_SCHEDULER"
    )
    started = time.monotonic()
    with pytest.raises(PerfreportError) as caught:
        chosen.probe()  # what building on it does first (a cached run never needs it)
    assert 1.5 <= time.monotonic() - started < 3  # a scheduler still starting is waited for
    assert str(caught.value).startswith(
        "parameter PERFREPORT_SCHEDULER: no Dask scheduler answered at tcp://127.0.0.1:1 "
        "within 2 s ("
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, None, None), "parameter '--jobs': 0 is not a number of processes (1 or more)"),
        ((2, "tcp://h:1", "local:2"), "parameter '--cluster': give --scheduler or --cluster"),
        ((2, "h", None), "parameter '--scheduler': 'h' is not a scheduler address such as"),
        ((2, None, "local:0"), "parameter '--cluster': 'local:0' is not local:N"),
        ((2, None, "remote:2"), "parameter '--cluster': 'remote:2' is not local:N"),
        ((2, None, "local:100000"), "parameter '--cluster': 'local:100000' is not local:N"),
        ((2, "tcp://1:2:3", None), "parameter '--scheduler': 'tcp://1:2:3' is not a scheduler"),
        ((2, "ucx://h:1", None), "parameter '--scheduler': 'ucx://h:1' is not a scheduler"),
        ((2, "tcp://h:1", None, 0), "parameter '--connect-timeout': 0 is not a number of seconds"),
        ((2, "tcp://h:1", None, float("nan")), "parameter '--connect-timeout': nan is not"),
        ((2, "tcp://h:1", None, float("inf")), "parameter '--connect-timeout': inf is not"),
        ((2, None, "local:2", 1e300), "parameter '--connect-timeout': 1e+300 is not"),
    ],
)
def test_wrong_options_are_one_line_naming_the_option(args, message):
    jobs, scheduler, cluster, *timeout = args
    with pytest.raises(PerfreportError) as caught:
        choose(jobs, scheduler, cluster, {}, *timeout)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_bad_address_in_the_environment_names_the_variable():
    with pytest.raises(PerfreportError, match=r"^parameter PERFREPORT_SCHEDULER: 'x' is not"):
        choose(2, None, None, {"PERFREPORT_SCHEDULER": "x"})


def test_a_worker_with_other_versions_is_named_with_each_difference():
    mine = installed()
    assert {"python", "perfreport", "weasyprint", "templates"} <= mine.keys()
    assert mismatch(mine, dict(mine), "tcp://w:1") is None
    theirs = {**mine, "perfreport": "0.0.1", "weasyprint": "1.0"}
    theirs.pop("pandas")
    problem = mismatch(mine, theirs, "tcp://w:1")
    assert problem is not None and problem.startswith("Dask worker tcp://w:1 runs ")
    assert f"perfreport 0.0.1 (the client has {mine['perfreport']})" in problem
    assert f"weasyprint 1.0 (the client has {mine['weasyprint']})" in problem
    assert f"pandas missing (the client has {mine['pandas']})" in problem
    assert "install the client's versions on every worker" in problem


def test_project_files_are_what_a_notebook_reads_and_their_hash_follows_their_bytes(tmp_path):
    root = tmp_path / "project"
    for name, text in {
        "params/areas.yaml": "areas: []",
        "params/catalogue/a.yaml": "a",
        "params/.ipynb_checkpoints/areas-checkpoint.yaml": "c",  # hashed with params/: sent
        "notebooks/locality.ipynb": "{}",
        "notebooks/helper.py": "x = 1",
        "notebooks/.ipynb_checkpoints/locality-checkpoint.ipynb": "old",
        "reports/special.ipynb": "{}",
        "data/warehouse.duckdb": "big",
        "outputs/index.html": "site",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    files = project_files(root, ["reports/special.ipynb"])
    assert sorted(files.files) == [
        "notebooks/helper.py",
        "notebooks/locality.ipynb",
        "params/.ipynb_checkpoints/areas-checkpoint.yaml",
        "params/areas.yaml",
        "params/catalogue/a.yaml",
        "reports/special.ipynb",
    ]
    assert files.size == len("areas: []") + 1 + 1 + 2 + 5 + 2
    assert project_files(root, ["reports/special.ipynb"]).digest == files.digest
    (root / "params" / "areas.yaml").write_text("areas: [x]")
    assert project_files(root, ["reports/special.ipynb"]).digest != files.digest

    there = tmp_path / "worker"
    (there / "data").mkdir(parents=True)
    (there / "data" / "warehouse.duckdb").write_text("kept")
    (there / "params").mkdir()
    (there / "params" / "stale.yaml").write_text("from the last run")
    replace_project(files, there)
    assert sorted(folder_files(there)) == sorted([*files.files, "data/warehouse.duckdb"])
    assert (there / "reports" / "special.ipynb").read_text() == "{}"


def test_a_notebook_outside_the_project_cannot_be_sent(tmp_path):
    for outside in ("../elsewhere/x.ipynb", "/srv/x.ipynb"):
        with pytest.raises(PerfreportError, match=r"field 'notebook': .* is outside the project"):
            project_files(tmp_path, [outside])


def test_folders_linked_into_params_travel_and_count_in_the_hash(tmp_path):
    shared = tmp_path / "shared" / "catalogue"
    shared.mkdir(parents=True)
    (shared / "x.yaml").write_text("a: 1")
    root = tmp_path / "project"
    (root / "params").mkdir(parents=True)
    (root / "params" / "catalogue").symlink_to(shared, target_is_directory=True)
    (root / "params" / "loop").symlink_to(root / "params", target_is_directory=True)
    files = project_files(root, [])
    assert sorted(files.files) == ["params/catalogue/x.yaml"]  # the loop is walked once
    before = tree_hash(root / "params")
    (shared / "x.yaml").write_text("a: 2")
    assert tree_hash(root / "params") != before


def test_files_round_trip_through_a_folder(tmp_path):
    files = Files.of({"a/b.txt": b"1", "c.pdf": b"%PDF"})
    files.write(tmp_path)
    assert Files.of(folder_files(tmp_path)) == files


def _results(con: duckdb.DuckDBPyConnection) -> None:
    rows = pd.DataFrame(
        {
            "indicator_id": ["I1", "I1", "I1", "I2"],
            "area_code": ["A", "B", "C", "A"],
            "period_start": [date(2025, 1, 1)] * 4,
            "value": [1.5, None, 3.0, 4.0],
            "numerator": pd.array([3, None, 6, 8], dtype="Int64"),
        }
    )
    con.register("rows", rows)
    con.execute("CREATE TABLE results AS SELECT * FROM rows")
    con.execute("CREATE TABLE disclosed AS SELECT *, 'r1' AS rule, false AS suppressed FROM rows")
    con.execute("CREATE TABLE results_info AS SELECT 7 AS load_id, NULL AS until, '9.9' AS version")


def test_a_warehouse_made_of_area_slices_holds_exactly_those_areas_rows(tmp_path):
    whole_path, made = tmp_path / "whole.duckdb", tmp_path / "made.duckdb"
    with connect(whole_path) as con:
        _results(con)
        slices = area_slices(con, ["A", "C", "A"])
        shared = whole_tables(con)
        expected = con.execute(
            "SELECT * FROM results WHERE area_code <> 'B' ORDER BY indicator_id, area_code"
        ).df()
    assert sorted(slices) == ["A", "C"]
    assert sorted(slices["A"]) == ["disclosed", "results"]
    assert sorted(shared) == ["results_info"]

    write_warehouse(made, shared, slices.values())

    with connect(made, read_only=True) as con:
        got = con.execute("SELECT * FROM results ORDER BY indicator_id, area_code").df()
        info = con.execute("SELECT load_id, version FROM results_info").fetchall()
        rules = con.execute("SELECT DISTINCT rule FROM disclosed").fetchall()
        empty = con.execute("SELECT count(*) FROM observations").fetchone()
    pd.testing.assert_frame_equal(got, expected)  # values, missing values and types
    assert info == [(7, "9.9")] and rules == [("r1",)] and empty == (0,)


def test_a_published_notebook_keeps_no_clock_time(tmp_path: Path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {
        "start_time": "t",
        "end_time": "t",
        "duration": 1.0,
        "parameters": {},
    }
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["papermill"] = {"start_time": "t", "duration": 0.1, "status": "completed"}
    cell.metadata["execution"] = {"iopub.status.busy": "t"}
    nb.cells.append(cell)
    injected = nbformat.v4.new_code_cell('area = "X"')
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.append(injected)
    assert injected.id != "injected-parameters"  # papermill's is random, as nbformat's

    for_publication(nb, tmp_path, "notebooks/x.ipynb", "outputs/x/notebook.ipynb")

    assert nb.metadata["papermill"] == {
        "parameters": {},
        "input_path": "notebooks/x.ipynb",
        "output_path": "outputs/x/notebook.ipynb",
    }
    assert nb.cells[0].metadata == {"papermill": {"status": "completed"}}
    assert nb.cells[1].id == "injected-parameters"
    assert nb.cells[0].id == "cell-0"  # its source has no such cell: an id of its place
