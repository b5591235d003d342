"""Publication quality of every report type: axe-core in Chromium, tagged PDF, page structure.

The browser checks open the built pages in Debian's Chromium (installed before the tests by
``.ci/install-tools``; found by ``tests/a11y/browser.py``) and run axe-core's WCAG 2.2 A and AA
rules and its best practices.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from perfreport.build.render import PLACEHOLDER_ALT
from tests.a11y.browser import run_axe
from tests.helpers import LATEST, QUARTER, insert_cell, run_cli

pytestmark = pytest.mark.e2e
PARTNERSHIP = "clackmannanshire-and-stirling"


def report_pages(project: Path) -> list[Path]:
    """One report of every type (the partnership's), and a locality's."""
    pages = [project / "outputs" / c / p / PARTNERSHIP / "report.html" for c, p in LATEST.items()]
    return [*pages, project / "outputs" / "locality" / QUARTER / "rural-stirling" / "report.html"]


def site_pages(project: Path) -> list[Path]:
    return [project / "outputs" / "index.html", project / "outputs" / "accessibility.html"]


def test_axe_finds_no_violations_on_any_report_type_or_the_site(built):
    pages = report_pages(built) + site_pages(built)
    found = run_axe(pages)
    assert [Path(p["page"]) for p in found["pages"]] == pages
    for result in found["pages"]:
        assert result["violations"] == [], result["page"]
        assert result["passes"] >= 10, result["page"]  # axe really looked at the page


class _Outline(HTMLParser):
    """Headings, landmarks, ids, links, tables and images of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.tables = 0
        self.captions = 0
        self.header_cells: list[str | None] = []
        self.alts: list[str | None] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id"):
            self.ids.add(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "html":
            self.lang = a.get("lang")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.header_cells.append(a.get("scope"))
        elif tag == "img":
            self.alts.append(a.get("alt"))


def outline(page: Path) -> _Outline:
    parsed = _Outline()
    parsed.feed(page.read_text(encoding="utf-8"))
    return parsed


@pytest.mark.parametrize("n", range(len(LATEST) + 1))
def test_every_report_has_landmarks_ordered_headings_contents_and_described_tables(built, n):
    page = report_pages(built)[n]
    o = outline(page)
    assert o.lang == "en-GB"
    assert {"header", "nav", "main", "footer"} <= set(o.tags)
    assert o.links[0] == "#main" and "main" in o.ids  # the skip link comes first
    assert o.headings[0] == 1 and o.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(o.headings, o.headings[1:], strict=False))
    # the table of contents links to every second-level heading, and every link lands
    contents = [h for h in o.links if h.startswith("#") and h != "#main"]
    assert len(contents) >= o.headings.count(2) - 1  # all but "Contents" itself
    assert all(h[1:] in o.ids for h in contents)
    assert o.tables == o.captions and o.tables > 0
    assert all(scope in ("col", "row") for scope in o.header_cells)
    assert all(alt and not PLACEHOLDER_ALT.match(alt) and len(alt) > 60 for alt in o.alts)


def _struct_elements(node: object, found: list[pikepdf.Dictionary]) -> None:
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            for kid in kids:
                _struct_elements(kid, found)
        elif kids is not None:
            _struct_elements(kids, found)


def _outline_titles(pdf: pikepdf.Pdf) -> list[str]:
    with pdf.open_outline() as tree:
        titles, stack = [], list(tree.root)
        while stack:
            item = stack.pop(0)
            titles.append(str(item.title))
            stack = list(item.children) + stack
    return titles


@pytest.mark.parametrize("n", range(len(LATEST) + 1))
def test_every_pdf_is_tagged_with_title_language_bookmarks_and_figure_alt_text(built, n):
    page = report_pages(built)[n]
    manifest = json.loads((built / "outputs" / "manifest.json").read_text())["reports"]
    key = page.parent.relative_to(built / "outputs").as_posix()
    with pikepdf.open(page.with_name("report.pdf")) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) and "/StructTreeRoot" in root
        assert str(root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title) == manifest[key]["title"]
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert xmp.get("dc:title") == manifest[key]["title"]
        elements: list[pikepdf.Dictionary] = []
        _struct_elements(root.StructTreeRoot, elements)
        figures = [e for e in elements if e.S == "/Figure"]
        images = outline(page).alts
        assert len(figures) == len(images)
        for figure in figures:
            alt = str(figure.get("/Alt", ""))
            assert len(alt) > 60 and not PLACEHOLDER_ALT.match(alt)
        assert {"/H1", "/H2", "/Table", "/TH", "/Caption"} <= {str(e.S) for e in elements}
        titles = _outline_titles(pdf)
        assert titles[0] == manifest[key]["title"] and "Contents" in titles
        assert len(titles) >= outline(page).headings.count(2)


def test_placeholder_alt_text_fails_the_build(built, tmp_path):
    project = tmp_path / "placeholder"
    shutil.copytree(built, project)
    insert_cell(
        project,
        "from IPython.display import HTML\n"
        'HTML(\'<img src="chart.png" alt="No description has been provided for this image">\')',
    )
    result = run_cli("run", "locality", "--period", QUARTER, "--area", "CS-CLK", cwd=project)
    assert result.code == 1
    assert "RenderError: image 1 has placeholder alt text" in result.stderr


HOSTILE = """Delays rose in **January**; see [the plan](https://example.org/plan).

- <script>document.title = 'owned'</script>Winter pressures
- [click](javascript:alert(1)) <img src=x onerror="alert(2)">

| Month | Delays |
|---|---:|
| January | 52 |
"""


def test_commentary_reaches_the_report_sanitised(built, tmp_path):
    project = tmp_path / "hostile"
    shutil.copytree(built, project)
    (project / "params" / "commentary" / QUARTER / "MSG-4.md").write_text(HOSTILE)
    result = run_cli("run", "quarterly", "--period", QUARTER, cwd=project)
    assert result.code == 0, result.stderr
    html = (project / "outputs" / "quarterly" / QUARTER / PARTNERSHIP / "report.html").read_text()
    for gone in ("<script", "owned", "onerror", "javascript:", "alert("):
        assert gone not in html, gone
    assert '<a href="https://example.org/plan" rel="noopener noreferrer">the plan</a>' in html
    assert re.search(r"<li>\s*Winter pressures\s*</li>", html)
    assert '<th scope="col">Month</th>' in html and "<td>January</td>" in html


def test_accessibility_statement_is_linked_from_the_site(built):
    index = (built / "outputs" / "index.html").read_text()
    assert '<a href="accessibility.html">Accessibility statement</a>' in index
    assert '<a href="index.html">Performance reports</a>' in index
    statement = (built / "outputs" / "accessibility.html").read_text()
    for phrase in (
        "Web Content Accessibility Guidelines version 2.2 AA",
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018",
        "PDF/UA",
        "performance.reports@example.org",
    ):
        assert phrase in statement, phrase


SMALL = range(1, 5)
"""Counts that disclosure control withholds (threshold 5); 0 is shown."""


def _count_titles(project: Path) -> list[str]:
    from perfreport.config.catalogue import load_catalogue

    return [i.title for i in load_catalogue(project / "params" / "catalogue") if i.unit == "count"]


def _integer(text: str) -> int | None:
    text = text.strip().replace(",", "")
    return int(text) if re.fullmatch(r"\d+", text) else None


def small_counts(report: Path) -> list[str]:
    """Every small count a reader can find in a report's HTML tables and its open data."""
    import pandas as pd

    found = []
    data = pd.read_csv(report.with_name("data.csv"))
    for column in ("numerator", "denominator"):
        for n, value in data[column].dropna().items():
            if value in SMALL:
                found.append(f"data.csv row {n + 2}: {column} {value:g}")
    counts = data["denominator"].isna() & (data["value"] == data["numerator"])
    for n, value in data.loc[counts, "value"].dropna().items():
        if value in SMALL:
            found.append(f"data.csv row {n + 2}: value {value:g}")
    titles = _count_titles(report.parents[4])
    html = report.read_text(encoding="utf-8")
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        if not cells:
            continue
        is_count_row = any(cells[0].startswith(t) for t in titles)
        for cell in cells[1:]:
            survey = re.fullmatch(r"([\d,]+) \(\d+%\)", cell)  # a survey option: count (share)
            value = (
                _integer(survey.group(1)) if survey else _integer(cell) if is_count_row else None
            )
            if value in SMALL:
                found.append(f"{report.name}: {cells[0]!r}: {cell}")
    return found


def controlled_reports(project: Path) -> list[Path]:
    """Every report of a cycle whose disclosure control is on (the public ones among them)."""
    from perfreport.config.cycles import load_cycles

    cycles = load_cycles(project / "params" / "cycles.yaml", project)
    on = {c.id for c in cycles.items if c.disclosure.active}
    assert {"annual", "strategic"} <= on and {
        c.id for c in cycles.items if c.disclosure.public
    } <= on
    return sorted(p for c in on for p in (project / "outputs" / c).glob("*/*/report.html"))


def test_no_public_output_shows_a_small_count(built):
    reports = controlled_reports(built)
    assert len(reports) == 6  # annual, strategic and the four locality reports
    for report in reports:
        assert small_counts(report) == [], report
    annual = (built / "outputs" / "annual" / "FY2024-25" / PARTNERSHIP / "report.html").read_text()
    strategic = (
        built / "outputs" / "strategic" / "2024-25-H2" / PARTNERSHIP / "report.html"
    ).read_text()
    assert annual.count("[c]") >= 3 and strategic.count("[c]") >= 2  # suppression happened
    assert "counts of 1 to 4, and figures from which they could be worked out" in annual


def test_the_scan_finds_the_small_counts_when_control_is_off(built, tmp_path):
    project = tmp_path / "uncontrolled"
    shutil.copytree(built, project)
    cycles = project / "params" / "cycles.yaml"
    cycles.write_text(
        cycles.read_text().replace(
            "disclosure: {public: true, threshold: 5}", "disclosure: {control: false}"
        )
    )
    result = run_cli("run", "annual", cwd=project)
    assert result.code == 0, result.stderr
    found = small_counts(project / "outputs" / "annual" / "FY2024-25" / PARTNERSHIP / "report.html")
    assert any(f.startswith("data.csv") for f in found)
    assert any("People delayed in hospital at the monthly census" in f for f in found)


def test_screenshots_of_each_report_type_and_the_site(built, tmp_path):
    import struct

    from tests.a11y.screenshots import take

    made = take(built / "outputs", tmp_path / "shots")
    assert sorted(p.name for p in made) == sorted(
        [f"{cycle}.png" for cycle in LATEST] + ["site-index.png", "site-accessibility.png"]
    )
    for png in made:
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width >= 400 and height >= 400 and len(data) > 5_000, png.name


def test_charts_and_tables_read_figures_after_disclosure_control(built):
    """What a report draws comes from the protected results: a withheld count is a gap."""
    from perfreport.reports.annual import AnnualReport

    annual = AnnualReport.load(area="S37000005", period="FY2024-25", project=str(built))
    delayed = annual.local_series["L-DD-01"]
    year = delayed[delayed["period"].map(lambda p: p.id) == "FY2024-25"]
    assert year["suppressed"].sum() >= 2  # a small count and its secondary
    assert year.loc[year["suppressed"], ["numerator", "value"]].isna().all().all()
    assert (year.loc[~year["suppressed"], "value"] >= 5).all()
    # without disclosure control (a management report's context) the count is there
    from perfreport.reports.context import ReportContext

    ctx = annual.ctx
    localities = ["CS-CLK", "CS-RST", "CS-UST"]
    raw = ReportContext(ctx.project, ctx.catalogue, ctx.areas).series(localities, "financial_year")
    raw_year = raw["L-DD-01"][raw["L-DD-01"]["period"].map(lambda p: p.id) == "FY2024-25"]
    assert not raw_year["suppressed"].any() and raw_year["value"].between(1, 4).any()
