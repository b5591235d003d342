"""The published site, derived from the report folders: ``outputs/manifest.json`` (every
report's provenance record) and ``outputs/index.html`` (every report by cycle, period and area
with its HTML, PDF and open data), and the accessibility statement. They are rebuilt on every
run from the published folders' records, so reports skipped as unchanged are listed, a removed
folder is not, and no interruption can make them lie.

Cache keys (:mod:`.cache`), open data (:mod:`.open_data`), provenance records
(:mod:`.provenance`) and the folder names (:mod:`.layout`) were in this module up to 0.7 and
are re-exported here under their old names.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import escape

from perfreport.build.cache import is_cached, shared_inputs, with_cache_key, with_cache_keys
from perfreport.build.layout import (
    FAILED,
    INDEX,
    MANIFEST,
    NOTEBOOK,
    OPEN_DATA,
    PROVENANCE,
    REPORT_FILES,
    STATEMENT,
)
from perfreport.build.open_data import DATA_COLUMNS, open_data
from perfreport.build.provenance import PACKAGES, RECORD_FIELDS, provenance_record, published
from perfreport.build.render import TEMPLATES
from perfreport.build.sanitise import CSP_META
from perfreport.config.cycles import Accessibility, load_cycles

if TYPE_CHECKING:
    from perfreport.config.project import Project

__all__ = [
    "DATA_COLUMNS",
    "FAILED",
    "INDEX",
    "MANIFEST",
    "NOTEBOOK",
    "OPEN_DATA",
    "PACKAGES",
    "PROVENANCE",
    "RECORD_FIELDS",
    "REPORT_FILES",
    "STATEMENT",
    "index_html",
    "is_cached",
    "open_data",
    "provenance_record",
    "published",
    "shared_inputs",
    "statement_html",
    "with_cache_key",
    "with_cache_keys",
    "write_site",
]


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
