"""End to end: the published site is the truth about the outputs folder, and nothing in it
names the machine that built it."""

from __future__ import annotations

import contextlib
import getpass
import json
import re
import shutil
import site
import socket
import sys
import tempfile
from pathlib import Path

import nbformat
import pikepdf
import pytest

import perfreport
from tests.helpers import QUARTER, run_cli

pytestmark = pytest.mark.e2e

COMMON_NAMES = {"root", "user", "admin", "runner", "ubuntu", "localhost"}


def _distinctive(name: str) -> bool:
    """A user or host name worth searching for: long enough not to turn up by chance."""
    return len(name) >= 5 and name.lower() not in COMMON_NAMES


def _python_folders() -> list[str]:
    """Where Python, its libraries and perfreport are installed."""
    folders = [sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()]
    return [*folders, str(Path(perfreport.__file__).parent)]


def _private(project: Path) -> list[str]:
    """What would identify the build machine: the project's absolute path, the staging
    folder, where Python and perfreport are installed, and the user's and host's names where
    they are distinctive."""
    names = [str(project), str(project.resolve()), ".staging", str(Path.home()) + "/"]
    names += [f"{folder}/" for folder in _python_folders()]
    with contextlib.suppress(OSError, KeyError):  # no user name
        names.append(getpass.getuser())
    names.append(socket.gethostname())
    return sorted({n for n in names if "/" in n or n.startswith(".") or _distinctive(n)})


def _pdf_text(path: Path) -> bytes:
    """Every object of a PDF, streams decompressed, and its document information."""
    parts = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:  # pragma: no cover - an image it cannot decode
                    parts.append(obj.read_raw_bytes())
            else:
                parts.append(repr(obj).encode())
        parts.append(repr(pdf.docinfo).encode())
    return b"\n".join(parts)


def test_published_files_name_no_path_user_or_host_of_the_build_machine(built):
    outputs = built / "outputs"
    files = [p for p in outputs.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len([p for p in files if p.name == "notebook.ipynb"]) == 9
    private = _private(built)
    assert str(built) in private
    leaks = []
    for path in files:
        data = _pdf_text(path) if path.suffix == ".pdf" else path.read_bytes()
        leaks += [f"{path.relative_to(outputs)}: {n}" for n in private if n.encode() in data]
    assert leaks == []


def test_a_published_notebook_records_paths_relative_to_the_project(built):
    notebook = built / "outputs" / "locality" / QUARTER / "rural-stirling" / "notebook.ipynb"
    record = json.loads(notebook.read_text())["metadata"]["papermill"]
    assert record["input_path"] == "notebooks/locality.ipynb"
    assert record["output_path"] == f"outputs/locality/{QUARTER}/rural-stirling/notebook.ipynb"
    assert record["parameters"] == {"area": "CS-RST", "period": QUARTER, "project": "."}


def test_every_report_folder_carries_its_provenance_and_the_manifest_is_made_of_them(built):
    outputs = built / "outputs"
    manifest = json.loads((outputs / "manifest.json").read_text())["reports"]
    assert len(manifest) == 9
    for key, entry in manifest.items():
        record = json.loads((outputs / key / "provenance.json").read_text())
        assert entry == record
        assert all((outputs / path).is_file() for path in entry["outputs"].values())


def test_index_and_manifest_are_rebuilt_from_the_folders_on_every_run(built, tmp_path, cli):
    """Reports skipped as unchanged, and ones built by earlier runs of other cycles, are
    listed; a removed folder is not."""
    project = tmp_path / "site"
    shutil.copytree(built, project)
    outputs = project / "outputs"
    (outputs / "manifest.json").write_text('{"reports": {}}')  # as an interrupted run left it
    (outputs / "index.html").unlink()
    shutil.rmtree(outputs / "locality" / QUARTER / "rural-stirling")

    result = cli("run", "monthly", cwd=project)

    assert result.code == 0, result.stderr
    assert "1 of 1 reports built (1 unchanged, not rebuilt)" in result.stdout
    manifest = json.loads((outputs / "manifest.json").read_text())["reports"]
    assert len(manifest) == 8 and f"locality/{QUARTER}/rural-stirling" not in manifest
    index = (outputs / "index.html").read_text()
    assert "rural-stirling" not in index
    for key in manifest:
        assert f'href="{key}/report.html"' in index


PRINT_FOLDERS = (
    "import site, sys, tempfile\n"
    "import perfreport\n"
    "for folder in [perfreport.__file__, sys.prefix, sys.base_prefix, sys.exec_prefix,\n"
    "               tempfile.gettempdir(), *site.getsitepackages()]:\n"
    "    print(folder, file=sys.stderr)"
)


def _texts(node: object) -> list[str]:
    """Every string of a notebook but its images."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    if isinstance(node, dict):
        return [t for k, v in node.items() if not k.startswith("image/") for t in _texts(v)]
    return []


def test_a_published_notebook_names_no_folder_python_or_perfreport_is_installed_in(built, tmp_path):
    """A warning from the package (a title with a character the chart font lacks) and a cell
    printing where Python lives: every such folder is a placeholder in what is published."""
    project = tmp_path / "folders"
    shutil.copytree(built, project)
    catalogue = project / "params" / "catalogue" / "local.yaml"
    title = "title: Complaints responded to within 20 working days"
    assert title in catalogue.read_text()
    catalogue.write_text(catalogue.read_text().replace(title, title + " \u4e2d"))
    notebook = project / "notebooks" / "locality.ipynb"
    nb = json.loads(notebook.read_text())
    nb["cells"].insert(
        3,
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [PRINT_FOLDERS],
        },
    )
    notebook.write_text(json.dumps(nb))

    result = run_cli(
        "run", "locality", "--period", QUARTER, "--area", "CS-RST", "--jobs", "1", cwd=project
    )

    assert result.code == 0, result.stderr
    folder = project / "outputs" / "locality" / QUARTER / "rural-stirling"
    texts = _texts(nbformat.read(folder / "notebook.ipynb", as_version=4))
    stderr = [t for t in texts if "[python]" in t]
    assert stderr == [
        "[perfreport]/__init__.py\n[python]\n[python]\n[python]\n[tmp]\n[site-packages]\n"
    ]
    glyph = re.compile(r"\[perfreport\]/present/\w+\.py:\d+: UserWarning: Glyph 20013")
    assert any(glyph.search(t) for t in texts)  # the warning from the chart module
    machine = [*_python_folders(), tempfile.gettempdir(), str(Path.home()), str(project)]
    whole = re.compile("|".join(rf"(?<![\w.~-]){re.escape(f)}(?![\w.~-])" for f in machine))
    assert [t for t in texts if whole.search(t)] == []
    for name in ("report.html", "data.csv", "provenance.json"):
        data = (folder / name).read_text(encoding="utf-8")
        assert [f for f in _python_folders() if f"{f}/" in data] == [], name
