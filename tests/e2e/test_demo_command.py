"""`perfreport generate-demo` writes the same bytes in any process and under any hash seed; the
demo never touches real data, and only the demo reads params/demo.yaml."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pandas as pd

from perfreport.build import pipeline
from perfreport.store.demo import generate
from tests.helpers import REPO, run_cli


def test_same_bytes_across_processes_and_hash_seeds(tmp_path, demo_settings, catalogue, areas):
    demo_text = generate(demo_settings, catalogue, areas)
    digests = set()
    for hash_seed in ("1", "12345"):
        out = tmp_path / hash_seed
        result = run_cli(
            "generate-demo", "--out", str(out), cwd=REPO, env={"PYTHONHASHSEED": hash_seed}
        )
        assert result.code == 0, result.stderr
        digests.add(hashlib.sha256((out / "observations.csv").read_bytes()).hexdigest())
    assert digests == {hashlib.sha256(demo_text.encode()).hexdigest()}


# --- the demo never touches real data (params/demo.yaml is optional, read by the demo alone) ---

REAL = REPO.parent / "shared" / "realdata" / "phs_delayed_discharge_beddays_hb_201607_202209.csv"


def real_rows(project: Path) -> Path:
    """Scotland's delayed discharge rows for April to September 2019 (months the demo also
    covers, for indicators it invents: MSG-4 and DD-ADB), as a small real extract."""
    lines = REAL.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines[1:] if re.match(r"^20190[4-9],S92000003,", line)]
    assert len(kept) == 90  # 15 rows a month: age groups x reasons
    path = project / "real.csv"
    path.write_text(lines[0] + "".join(kept), encoding="utf-8")
    return path


def observations(project: Path) -> pd.DataFrame:
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM observations ORDER BY ALL").df()


def test_demo_refuses_a_warehouse_holding_real_loads(project_copy, cli):
    """It used to revise the real figures with invented ones, printing nothing about it."""
    loaded = cli(
        "ingest", "phs_delayed_discharge_beddays", str(real_rows(project_copy)), cwd=project_copy
    )
    assert loaded.code == 0, loaded.stderr
    before = observations(project_copy)
    assert len(before) == 180 and set(before.indicator_id) == {"MSG-4", "DD-ADB"}
    result = cli("demo", "--jobs", "1", cwd=project_copy)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "perfreport: error: data/warehouse.duckdb: the warehouse holds load 1 "
        f"({real_rows(project_copy).name}, spec phs_delayed_discharge_beddays), which is not one "
        "of the demo's files as they are now; the demo never touches real data: make a demo "
        "project with `perfreport init DIR --template hscp`\n"
    )
    pd.testing.assert_frame_equal(observations(project_copy), before)
    assert not (project_copy / "data" / "demo").exists()  # refused before generating anything


def test_generate_demo_without_demo_settings_is_one_line(project_copy, cli):
    (project_copy / "params" / "demo.yaml").unlink()
    result = cli("generate-demo", cwd=project_copy)
    assert result.code == 2
    assert result.stderr.endswith(
        "params/demo.yaml: this project has no demo (no params/demo.yaml); make a demo project "
        "with `perfreport init DIR --template hscp`\n"
    )
    assert cli("check", cwd=project_copy).code == 0  # check never needs one


def test_a_demo_series_of_an_unknown_indicator_is_refused_by_the_demo(project_copy, cli):
    path = project_copy / "params" / "demo.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  DD-ADB: {", "  DD-ADC: {"), encoding="utf-8")
    result = cli("generate-demo", cwd=project_copy)
    assert result.code == 2
    assert re.search(
        r"params/demo\.yaml:\d+: field 'indicators\.DD-ADC': 'DD-ADC' is not in the indicator "
        r"catalogue\n$",
        result.stderr,
    ), result.stderr
    assert cli("check", cwd=project_copy).code == 0


def test_a_demo_of_shipped_extracts_loads_them_as_they_are(project_copy):
    """A demo.yaml of ``extracts:`` only (as the council template's): each file is ingested
    with its spec, and loading the demo again is not refused (its own loads are the demo's)."""
    shipped = project_copy / "demo" / "delays.csv"
    shipped.parent.mkdir()
    real_rows(project_copy).rename(shipped)
    (project_copy / "params" / "demo.yaml").write_text(
        "extracts:\n  - {spec: phs_delayed_discharge_beddays, file: demo/delays.csv}\n",
        encoding="utf-8",
    )
    setup = pipeline.Setup.load(project_copy)
    [(path, summary)] = pipeline.load_demo(setup)
    assert path == shipped
    assert (summary.load_id, summary.validation.rows_accepted) == (1, 90)
    assert not (project_copy / "data" / "demo").exists()  # no invented series: nothing generated
    [(_, again)] = pipeline.load_demo(setup)
    assert again.already_loaded
    assert len(observations(project_copy)) == 180


def test_demo_extracts_must_exist(project_copy, cli):
    (project_copy / "params" / "demo.yaml").write_text(
        "extracts:\n  - {spec: phs_delayed_discharge_beddays, file: demo/missing.csv}\n"
        "  - {spec: nowhere, file: demo/missing.csv}\n",
        encoding="utf-8",
    )
    result = cli("demo", cwd=project_copy)
    assert result.stderr.endswith(
        "params/demo.yaml:2: field 'extracts[0].file': demo/missing.csv does not exist in the "
        "project\n"
    ), result.stderr


REAL_MSG4 = (
    "indicator_id,area_code,period_start,period_end,breakdown,category,numerator,denominator,value\n"
    "MSG-4,S37000005,2024-04-01,2024-04-30,all,all,4321,,4321\n"
)


def test_real_data_loaded_with_the_demo_spec_is_not_the_demo(project_copy, cli):
    """Only the demo's own files count as the demo's: real rows in the observations layout,
    loaded with the demo's spec, are refused like any other real load."""
    real = project_copy / "real_msg4.csv"
    real.write_text(REAL_MSG4)
    assert cli("ingest", "demo_observations", str(real), cwd=project_copy).code == 0
    before = observations(project_copy)
    result = cli("demo", "--jobs", "1", cwd=project_copy)
    assert result.code == 2
    assert (
        "holds load 1 (real_msg4.csv, spec demo_observations), which is not one of the demo's"
        in (result.stderr)
    )
    pd.testing.assert_frame_equal(observations(project_copy), before)
    assert not (project_copy / "data" / "demo").exists()


def test_a_real_file_named_like_a_shipped_demo_file_is_not_the_demo(tmp_path, cli):
    project = tmp_path / "council"
    assert cli("init", str(project), "--template", "council", cwd=tmp_path).code == 0
    (project / "data" / "extracts").mkdir(parents=True)
    real = project / "data" / "extracts" / "ascof.csv"
    real.write_text("Measure,Area code,Year,Value\nASCOF-1B,E10000032,2022/23,81.3\n")
    assert cli("ingest", "council_ascof", str(real), cwd=project).code == 0
    before = observations(project)
    result = cli("demo", cwd=project)
    assert result.code == 2
    assert "holds load 1 (ascof.csv, spec council_ascof), which is not one of the demo's" in (
        result.stderr
    )
    pd.testing.assert_frame_equal(observations(project), before)
