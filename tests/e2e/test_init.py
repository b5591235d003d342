"""`perfreport init DIR --template T` makes a project that runs on the installed package; every
command takes --project before or after its name; the help is written for users."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfreport.build.notebook_parameters import declared_parameters
from perfreport.build.scaffold import TEMPLATES, TEMPLATES_DIR
from perfreport.cli.arguments import ABOUT, COMMANDS, parser
from perfreport.config.areas import load_areas
from perfreport.config.catalogue import load_catalogue
from perfreport.config.rag_settings import load_rag_settings
from perfreport.config.wording import load_wording
from tests.helpers import REPO, run_cli

BLANK_FILES = {
    ".gitignore",
    "README.md",
    "notebooks/performance.ipynb",
    "params/areas.yaml",
    "params/catalogue/indicators.yaml",
    "params/cycles.yaml",
    "params/framework.yaml",
    "params/rag.yaml",
    "params/sources/README.md",
    "params/wording.yaml",
}


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("init") / "my-project"
    result = run_cli("init", str(folder), cwd=folder.parent)  # blank is the default
    assert result.code == 0, result.stderr
    assert result.stdout == (
        f"{folder}: a new project from the blank template (10 files); next: cd {folder} && "
        "perfreport check, then see its README.md\n"
    )
    return folder


def test_blank_is_the_files_of_a_project_and_nothing_to_delete(blank):
    assert files(blank) == BLANK_FILES
    assert sorted(p.name for p in blank.iterdir() if p.is_dir()) == [
        "data",
        "notebooks",
        "outputs",
        "params",
    ]
    assert not any(p.is_symlink() for p in blank.rglob("*"))
    assert not (blank / "params" / "demo.yaml").exists()  # no demo


def test_the_project_readme_says_what_to_do(blank):
    text = (blank / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# my-project\n\nA perfreport project made from the `blank` template")
    for line in (
        "perfreport check ",
        "perfreport ingest SPEC data/extracts/FILE.csv",
        "perfreport run --all ",
        "| `params/sources/` | one source spec per extract shape",
        "| `data/extracts/` | your extracts (CSV, Excel, Parquet)",
        "(or pass `--project my-project` from anywhere)",
    ):
        assert line in text
    assert "perfreport demo" not in text


def test_gitignore_keeps_the_warehouse_extracts_and_outputs_out(blank):
    lines = (blank / ".gitignore").read_text().splitlines()
    for pattern in ("data/*.duckdb", "data/*.duckdb.wal", "data/extracts/", "outputs/"):
        assert pattern in lines


def test_blank_params_load_and_hold_no_example_data(blank):
    params = blank / "params"
    assert len(load_catalogue(params / "catalogue")) == 0
    assert len(load_areas(params / "areas.yaml")) == 0
    assert load_rag_settings(params / "rag.yaml").spc_rules == "mdc"
    assert load_wording(params).body == "organisation"
    assert declared_parameters(blank / "notebooks" / "performance.ipynb") == {
        "area": "str",
        "period": "str",
        "project": "str",
    }
    notebook = json.loads((blank / "notebooks" / "performance.ipynb").read_text())
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") for c in notebook["cells"])  # committed without outputs
    assert "PerformanceReport.load(area=area, period=period, project=project)" in code[1]
    assert [c for c in code[2:] if not c.startswith("report.")] == []  # the package computes
    cycles = (params / "cycles.yaml").read_text()
    for line in ("  - id: performance\n", "    period: month\n", "    areas: [all]\n"):
        assert line in cycles


def test_the_commented_example_entry_loads_once_uncommented(blank, tmp_path):
    text = (blank / "params" / "catalogue" / "indicators.yaml").read_text()
    example = [line[2:] for line in text.splitlines() if line.startswith("#   ")]
    assert (
        example[0]
        == "  - id: DD-BEDDAYS           # your own code, used in source specs and file names"
    )
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    (catalogue / "indicators.yaml").write_text("indicators:\n" + "\n".join(example) + "\n")
    [indicator] = load_catalogue(catalogue, blank / "params" / "framework.yaml")
    assert (indicator.id, indicator.aggregation, indicator.targets[0].value) == (
        "DD-BEDDAYS",
        "sum",
        1200,
    )


def test_a_fresh_blank_project_passes_check_with_no_indicators(blank):
    """Needs open cycle ids and ``areas: [all]`` (design items 2 and 8, another branch)."""
    result = run_cli("check", "--project", str(blank), cwd=blank.parent)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: params/ checked: 0 indicators, 0 areas, 1 cycle, ")


def test_init_refuses_a_folder_that_is_not_empty(blank, cli):
    result = cli("init", str(blank), "--template", "hscp", cwd=blank.parent)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        f"perfreport: error: {blank}: is not empty; give perfreport init a new or empty folder "
        "for the project\n"
    )
    result = cli("init", str(blank / "README.md"), cwd=blank.parent)
    assert result.stderr.endswith(
        "README.md: is a file; give perfreport init a new or empty folder for the project\n"
    )


def test_the_hscp_template_is_this_repository_top_level():
    for name in ("params", "notebooks"):
        link = TEMPLATES_DIR / "hscp" / name
        assert link.is_symlink()
        assert link.resolve() == REPO / name


def test_an_hscp_project_is_the_demo_and_checks_on_the_installed_package(tmp_path):
    folder = tmp_path / "demo-project"
    folder.mkdir()  # an empty folder is fine
    result = run_cli("init", "demo-project", "--template", "hscp", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "next: cd demo-project && perfreport demo," in result.stdout
    for name in ("params", "notebooks"):
        compared = filecmp.dircmp(REPO / name, folder / name)
        assert not (compared.left_only or compared.right_only or compared.diff_files)
    assert not any(p.is_symlink() for p in folder.rglob("*"))
    assert "perfreport demo " in (folder / "README.md").read_text()
    checked = run_cli("check", "--project", "demo-project", cwd=tmp_path)
    assert checked.code == 0, checked.stderr
    assert checked.stdout.startswith("ok: params/ checked: 42 indicators, 19 areas, 6 cycles")


def test_an_unknown_template_is_refused_by_the_parser(cli, tmp_path):
    with pytest.raises(SystemExit) as stopped:
        cli("init", str(tmp_path / "x"), "--template", "trust", cwd=tmp_path)
    assert stopped.value.code == 2
    assert not (tmp_path / "x").exists()


def test_init_help_lists_every_template():
    result = run_cli("init", "--help", cwd=REPO)
    assert result.code == 0
    for name, about in TEMPLATES.items():
        assert re.search(rf"^  {name} +{re.escape(about.split()[0])}", result.stdout, re.M), name
    assert "example:\n  perfreport init my-project --template blank\n" in result.stdout


# --- --project before and after every command; help for users ---------------------------------

REQUIRED = {
    "publish": ["dest"],
    "ingest": ["spec", "f.csv"],
    "validate": ["spec", "f.csv"],
    "export": ["loads", "--out", "x.csv"],
    "unload": ["1"],
}
"""Each command's required arguments, so that it parses."""


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "init"])
def test_project_is_accepted_before_and_after_the_command(command):
    rest = REQUIRED.get(command, [])
    after = parser().parse_args([command, *rest, "--project", "p"])
    before = parser().parse_args(["--project", "p", command, *rest])
    neither = parser().parse_args([command, *rest])
    assert (after.project, before.project, neither.project) == (Path("p"), Path("p"), None)


def test_every_command_has_a_description_and_an_example():
    assert set(ABOUT) == set(COMMANDS)
    for name, (about, example) in ABOUT.items():
        assert about.endswith(".") and example.startswith("perfreport "), name


def test_help_is_written_for_users():
    result = run_cli("--help", cwd=REPO)
    assert result.code == 0
    assert "No logic here" not in result.stdout
    assert "Start a project with `perfreport init my-project`" in result.stdout
    for name, (text, _) in COMMANDS.items():
        assert re.search(
            rf"^    {re.escape(name)} +{re.escape(text.split()[0])}", result.stdout, re.M
        )
    demo = run_cli("demo", "--help", cwd=REPO).stdout
    assert "the demo never\ntouches real data" in demo or "the demo never touches" in demo.replace(
        "\n", " "
    )
    assert "example:\n  perfreport init demo-project --template hscp\n" in demo


# --- the "done when": a blank project, a real extract, ingest, run --all ---------------

REAL = REPO.parent / "shared" / "realdata" / "phs_delayed_discharge_beddays_hb_201607_202209.csv"
AREAS = """\
areas:
  - {code: S92000003, name: Scotland, type: country, slug: scotland}
  - {code: S08000019, name: NHS Forth Valley, type: health_board, slug: nhs-forth-valley}
"""
SPEC = """\
name: beddays
format: csv
max_size_mb: 50
area: {column: HBT}
period: {column: MonthOfDelay, format: "%Y%m", kind: month}
filters:
  - {column: HBT, in: [S92000003, S08000019]}
  - {column: AgeGroup, in: [18plus]}
  - {column: ReasonForDelay, in: [All Delay Reasons]}
measures:
  - indicator: {id: DD-BEDDAYS}
    numerator: NumberOfDelayedBedDays
    value: NumberOfDelayedBedDays
"""


def test_a_blank_project_builds_reports_from_a_real_extract(blank, tmp_path):
    """The README's route with nothing of the package edited: the catalogue's commented
    example entry, two areas, a spec, ingest, run --all. Needs open cycle ids and
    ``areas: [all]`` (another branch)."""
    project = tmp_path / "mine"
    shutil.copytree(blank, project)
    catalogue = project / "params" / "catalogue" / "indicators.yaml"
    example = [line[2:] for line in catalogue.read_text().splitlines() if line.startswith("#   ")]
    catalogue.write_text("indicators:\n" + "\n".join(example) + "\n")
    (project / "params" / "areas.yaml").write_text(AREAS)
    (project / "params" / "sources" / "beddays.yaml").write_text(SPEC)
    (project / "data" / "extracts").mkdir()
    shutil.copy(REAL, project / "data" / "extracts" / REAL.name)
    loaded = run_cli("ingest", "beddays", f"data/extracts/{REAL.name}", cwd=project)
    assert loaded.code == 0, loaded.stderr
    assert "16,875 rows read, 150 accepted, 0 quarantined" in loaded.stdout
    built = run_cli("run", "--all", "--jobs", "1", "--project", str(project), cwd=tmp_path)
    assert built.code == 0, built.stderr
    assert "2 of 2 reports built" in built.stdout
    data = pd.read_csv(
        project / "outputs" / "performance" / "2022-09" / "nhs-forth-valley" / "data.csv"
    )
    september = data[data.period_label == "September 2022"].iloc[0]
    expected = pd.read_csv(REAL).query(
        "MonthOfDelay == 202209 and HBT == 'S08000019' and AgeGroup == '18plus' "
        "and ReasonForDelay == 'All Delay Reasons'"
    )
    assert september.value == expected.NumberOfDelayedBedDays.item() == 3319


def test_init_refuses_project_given_before_it(cli, tmp_path):
    result = cli(
        "--project", str(tmp_path / "elsewhere"), "init", str(tmp_path / "new"), cwd=tmp_path
    )
    assert result.code == 2
    assert result.stderr.startswith(
        "perfreport: error: parameter '--project': init makes a project"
    )
    assert not (tmp_path / "new").exists()
