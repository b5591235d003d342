"""The published site: cache keys, open data, the provenance manifest and the index page.

- A job's **cache key** hashes everything its report depends on: the notebook, the prepared
  results it reads (its area and those its cycle declares, up to its period), the templates,
  the ``params/`` folder, the package version and its parameters. A report whose published key matches is not rebuilt.
- Each report gets ``data.csv``: the tidy figures behind its tables and charts (formula-safe).
- Each published report folder carries its own provenance record, ``provenance.json``: its
  notebook, input hashes and cache key, parameters, package versions, git commit and build
  times. The build time lives here, never in the HTML.
- **The site is derived from the folders.** ``outputs/manifest.json`` (every report's record)
  and ``outputs/index.html`` (every report by cycle, period and area with its HTML, PDF and
  open data) are rebuilt on every run from the published folders' records, so reports skipped
  as unchanged are listed, a removed folder is not, and no interruption can make them lie.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
from markupsafe import escape

from perfreport import __version__
from perfreport.config.cycles import Accessibility, load_cycles
from perfreport.assess.results import read_disclosed
from perfreport.build.render import CSP_META, TEMPLATES
from perfreport.store.warehouse import connect

if TYPE_CHECKING:
    from perfreport.config.project import Project
    from perfreport.build.runner import Job

PROVENANCE = "provenance.json"
NOTEBOOK = "notebook.ipynb"
FAILED = "failed"
"""The folder under ``outputs/`` keeping failed jobs' notebooks and errors (never listed)."""
OPEN_DATA = "data.csv"
REPORT_FILES = ("report.html", "report.pdf", OPEN_DATA, NOTEBOOK)
MANIFEST = "manifest.json"
INDEX = "index.html"
STATEMENT = "accessibility.html"
PACKAGES = (
    "perfreport",
    "papermill",
    "nbconvert",
    "nbclient",
    "weasyprint",
    "pandas",
    "duckdb",
    "matplotlib",
)
DATA_COLUMNS = (
    "indicator_id, area_code, period_label, period_start, period_end, numerator, denominator, value, "
    "lower, upper, target_text, target_status, framework_status, change_year, partnership_value, country_value"
)


def open_data(job: Job, con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """The prepared figures a report reads: its areas' totals up to its period, after its
    cycle's disclosure control (``suppressed`` says which figures were withheld)."""
    if con is None:
        with connect(job.project.warehouse, read_only=True) as own:
            return open_data(job, own)

    marks = ", ".join("?" * len(job.reads))
    return read_disclosed(
        con,
        job.cycle.disclosure,
        job.areas,
        DATA_COLUMNS,
        f"observed AND area_code IN ({marks}) AND period_end <= ?",
        [*job.reads, job.period.end],
        "indicator_id, area_code, period_start, period_end",
    )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree_hash(folder: Path) -> str:
    """One hash of every file under ``folder``: names and contents."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def shared_inputs(project: Project) -> dict[str, str]:
    """The inputs every report of a run shares: templates, configuration and package version.

    The whole ``params/`` folder counts (catalogue, targets, plans, commentary, strategy): a
    change there can change any report's text.
    """
    return {
        "templates": _tree_hash(TEMPLATES),
        "params": _tree_hash(project.params),
        "perfreport": __version__,
    }


def with_cache_keys(jobs: Sequence[Job]) -> list[Job]:
    """Each job with its input hashes and the cache key made from them (one warehouse
    connection and one hash of the shared inputs for the lot)."""
    if not jobs:
        return []
    shared = shared_inputs(jobs[0].project)
    with connect(jobs[0].project.warehouse, read_only=True) as con:
        return [with_cache_key(job, shared, con) for job in jobs]


def with_cache_key(job: Job, shared: dict[str, str], con: duckdb.DuckDBPyConnection) -> Job:
    """The job with its input hashes and the cache key made from them."""
    inputs = {
        **shared,
        "notebook": _sha((job.project.root / job.cycle.notebook).read_bytes()),
        "data": _sha(open_data(job, con).to_csv(index=False).encode("utf-8")),
        "parameters": json.dumps(
            {k: v for k, v in job.parameters.items() if k != "project"}, sort_keys=True
        ),
    }
    key = _sha(json.dumps(inputs, sort_keys=True).encode("utf-8"))
    return replace(job, cache_key=key, inputs=tuple(sorted(inputs.items())))


def is_cached(job: Job) -> bool:
    """Whether the published report is whole and was built from exactly these inputs."""
    record = _read_record(job.out_dir)
    return record is not None and record.get("cache_key") == job.cache_key


def provenance_record(job: Job, started: str, ended: str) -> dict:
    """What ``provenance.json`` holds for a report built from ``job``."""
    return {
        "cycle": job.cycle.id,
        "period": job.period.id,
        "area": job.area.code,
        "title": job.meta.title,
        "notebook": job.cycle.notebook,
        "outputs": _outputs(job.key),
        "inputs": dict(job.inputs),
        "cache_key": job.cache_key,
        "parameters": {k: v for k, v in job.parameters.items() if k != "project"},
        "packages": _versions(),
        "git_commit": _git_commit(job.project.root),
        "started": started,
        "ended": ended,
    }


def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - every one is a dependency
            out[name] = "not installed"
    return out


def _git_commit(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def _outputs(key: str) -> dict[str, str]:
    """A report's files, relative to ``outputs/``."""
    return {name: f"{key}/{name}" for name in REPORT_FILES}


RECORD_FIELDS = ("cycle", "period", "title", "cache_key")


def _read_record(folder: Path) -> dict | None:
    """A published folder's provenance record, or None unless the folder holds a whole report
    (every file, and a record that can be read)."""
    try:
        record = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    whole = isinstance(record, dict) and all(field in record for field in RECORD_FIELDS)
    return record if whole and all((folder / n).is_file() for n in REPORT_FILES) else None


def published(outputs: Path) -> dict[str, dict]:
    """Every report published under ``outputs/<cycle>/<period>/<area>/``, by key, from the
    records in the folders themselves (staging, moved-aside and failed folders excluded).
    The key and file links come from where the folder is, not from what its record says."""
    reports = {}
    for path in sorted(outputs.glob(f"*/*/*/{PROVENANCE}")):
        parts = path.parent.relative_to(outputs).parts
        if parts[0] == FAILED or any(part.startswith(".") for part in parts):
            continue
        record = _read_record(path.parent)
        if record is not None:
            key = "/".join(parts)
            reports[key] = {**record, "outputs": _outputs(key)}
    return reports


def write_site(project: Project, folder: Path | None = None) -> None:
    """Rebuild the manifest and index of ``folder`` (default ``outputs/``) from the report
    folders in it, each file atomically."""
    folder = folder or project.outputs
    manifest = {"reports": published(folder)}
    _atomic(folder / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    _atomic(folder / INDEX, index_html(manifest))
    cycles = load_cycles(project.cycles_file, project.root)
    _atomic(folder / STATEMENT, statement_html(cycles.organisation, cycles.accessibility))


def _atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def index_html(manifest: dict) -> str:
    """The site's front page: every report by cycle and period, with its files."""
    by_cycle: dict[str, dict[str, list[dict]]] = {}
    for entry in manifest["reports"].values():
        by_cycle.setdefault(entry["cycle"], {}).setdefault(entry["period"], []).append(entry)
    sections = []
    for cycle, periods in sorted(by_cycle.items()):
        parts = [f"<h2>{escape(cycle.title())} reports</h2>"]
        for period, entries in sorted(periods.items(), reverse=True):
            rows = "".join(
                f'<tr><th scope="row">{escape(e["title"])}</th>'
                f'<td><a href="{escape(e["outputs"]["report.html"])}">HTML</a></td>'
                f'<td><a href="{escape(e["outputs"]["report.pdf"])}">PDF</a></td>'
                f'<td><a href="{escape(e["outputs"][OPEN_DATA])}">Open data (CSV)</a></td></tr>'
                for e in sorted(entries, key=lambda e: e["title"])
            )
            parts.append(
                f'<table class="report-table"><caption>{escape(cycle.title())} reports, {escape(period)}</caption>'
                '<thead><tr><th scope="col">Report</th><th scope="col">Web page</th><th scope="col">PDF</th>'
                f'<th scope="col">Data</th></tr></thead><tbody>{rows}</tbody></table>'
            )
        sections.append("\n".join(parts))
    return _page(
        "Performance reports",
        "<p>Every published report, with its PDF and the open data behind its tables and charts.</p>\n"
        + "\n".join(sections),
    )


def statement_html(organisation: str, accessibility: Accessibility | None) -> str:
    """The site's accessibility statement (the model statement the regulations ask for)."""
    contact = (
        f'<a href="mailto:{escape(accessibility.contact)}">{escape(accessibility.contact)}</a>'
        if accessibility
        else "the performance team"
    )
    reviewed = (
        f"<p>This statement was last reviewed on {accessibility.reviewed:%d %B %Y}.</p>"
        if accessibility
        else ""
    )
    return _page(
        "Accessibility statement",
        f"""<p>This statement applies to the performance reports {escape(organisation)} publishes
on this site: each report's web page, its PDF document and its open data.</p>
<h2>Compliance status</h2>
<p>The reports are built to meet the Web Content Accessibility Guidelines version 2.2 AA
standard, as the
Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018
require.</p>
<ul>
<li>Every page has a language, landmarks, a skip link, a table of contents and headings in order.</li>
<li>Every table has a caption and marked row and column headings.</li>
<li>Red, amber and green status is given as a word and a shape as well as a colour; text has a
contrast of at least 4.5 to 1.</li>
<li>Every chart has a text alternative written from its data: what it shows and what it finds.
A report whose chart has no such text is not published.</li>
<li>PDF documents are tagged (PDF/UA), with a title, a language, bookmarks from the headings
and the same text alternatives.</li>
</ul>
<h2>How the reports are checked</h2>
<p>Before publication every type of report is opened in a web browser (Chromium) and checked
with axe-core's automated tests for WCAG 2.2 A and AA, and every PDF is checked for its tags,
title, language and text alternatives.</p>
<h2>What is not fully accessible</h2>
<p>Charts are images. Their text alternatives summarise them; every figure they draw is also in
the report's tables and in its open data file (CSV). Automated tests cannot find every problem:
please tell us about any you meet.</p>
<h2>Small numbers</h2>
<p>Public reports withhold counts from 1 to 4, and figures from which such counts could be
worked out, to protect the people behind them. Withheld figures show as [c].</p>
<h2>Feedback and contact</h2>
<p>If you need a report in a different format, or find a problem not listed here, contact
{contact}. We will reply within 10 working days.</p>
<h2>Enforcement procedure</h2>
<p>The Equality and Human Rights Commission is responsible for enforcing the accessibility
regulations. If you are not happy with how we respond to your complaint, contact the Equality
Advisory and Support Service (EASS).</p>
{reviewed}""",
    )


def _page(title: str, body: str) -> str:
    """A page of the site in the reports' house style, with its landmarks and skip link."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"{CSP_META}\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
        f"<style>\n{(TEMPLATES / 'perfreport' / 'report.css').read_text(encoding='utf-8')}\n</style>\n</head>\n"
        '<body>\n<a class="skip-link" href="#main">Skip to main content</a>\n'
        '<header class="site-header"><nav aria-label="Site"><p class="running-title">'
        f'<a href="{INDEX}">Performance reports</a> · <a href="{STATEMENT}">Accessibility statement</a>'
        "</p></nav></header>\n"
        f'<main id="main">\n<h1>{escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n'
    )
