"""Hostile text in every params file and in commentary: every cycle still builds, and no
published page holds a script, an event handler or a ``javascript:`` address; each carries the
Content-Security-Policy that forbids scripts; axe still finds nothing."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.a11y.browser import run_axe
from tests.helpers import LATEST, QUARTER, copy_project, run_cli

pytestmark = pytest.mark.e2e
PAYLOAD = (
    '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    '<a href="javascript:alert(2)">j</a><svg onload=alert(3)></svg>" onmouseover="alert(4)'
)
ALWAYS = {"name", "title", "owner", "organisation", "audience"}
"""Text fields poisoned even without a space (an area's name is one word)."""


def poison(value, key: str = "", free_text: bool = True):  # type: ignore[no-untyped-def]
    """``value`` with the payload appended to every free-text string in it."""
    if isinstance(value, dict):
        return {k: poison(v, str(k), free_text) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, key, free_text) for v in value]
    if isinstance(value, str) and (key in ALWAYS or (free_text and " " in value)):
        return value + PAYLOAD
    return value


def poisoned_project(target: Path) -> Path:
    project = copy_project(target)
    for path in sorted((project / "params").rglob("*.yaml")):
        if path.name == "demo.yaml":
            continue  # the demo generator's numbers: no text reaches a page
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.parent.name == "sources":  # column names must match the extract
            doc["description"] = doc["description"] + PAYLOAD
        else:
            doc = poison(doc)
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for path in sorted((project / "params" / "commentary").rglob("*.md")):
        path.write_text(
            path.read_text(encoding="utf-8") + "\n\n" + PAYLOAD + "\n", encoding="utf-8"
        )
    return project


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.csp: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag in ("script", "iframe", "object", "embed", "svg", "form", "base"):
            self.scripts.append(tag)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(f"{tag} {name}")
            if value and value.strip().lower().startswith(("javascript:", "vbscript:")):
                self.urls.append(f"{tag} {name}={value}")
        attributes = dict(attrs)
        if (
            tag == "meta"
            and (attributes.get("http-equiv") or "").lower() == "content-security-policy"
        ):
            self.csp.append(attributes.get("content") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    project = poisoned_project(tmp_path_factory.mktemp("hostile") / "project")
    result = run_cli("demo", "--jobs", "2", cwd=project)
    assert result.code == 0, result.stdout + result.stderr
    assert "9 of 9 reports built" in result.stdout
    return project


def test_no_published_page_can_run_a_script(hostile):
    pages = sorted((hostile / "outputs").rglob("*.html"))
    reports = [p for p in pages if p.name == "report.html" and "failed" not in p.parts]
    assert len(reports) == 9 and len(pages) >= 11  # the reports, the index, the statement
    for page in pages:
        parsed = Page()
        parsed.feed(page.read_text(encoding="utf-8"))
        assert parsed.scripts == [], page
        assert parsed.handlers == [], page
        assert parsed.urls == [], page
        assert len(parsed.csp) == 1 and "default-src 'none'" in parsed.csp[0], page
        assert "script-src" not in parsed.csp[0] or "'none'" in parsed.csp[0]
    # the payload did reach the pages, as text a reader sees: escaped, never run
    annual = hostile / "outputs" / "annual" / LATEST["annual"] / "clackmannanshire-and-stirling"
    parsed = Page()
    parsed.feed((annual / "report.html").read_text(encoding="utf-8"))
    shown = "".join(parsed.text)
    assert '<script>alert("pwned")</script>' in shown  # e.g. in the organisation's name


def test_axe_still_finds_nothing_on_the_hostile_build(hostile):
    out = hostile / "outputs"
    pages = [
        out / c / p / "clackmannanshire-and-stirling" / "report.html" for c, p in LATEST.items()
    ]
    pages += [out / "locality" / QUARTER / "rural-stirling" / "report.html", out / "index.html"]
    found = run_axe(pages)
    assert [(p["page"], v["id"]) for p in found["pages"] for v in p["violations"]] == []
    assert all(p["passes"] > 10 for p in found["pages"])
