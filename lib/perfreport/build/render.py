"""Render an executed notebook to a report: HTML with nbconvert, PDF with WeasyPrint.

One :class:`Renderer` per worker process holds one configured exporter (no subprocess per
report). The HTML holds no code: input cells, prompts, streams and tracebacks are dropped by
the project's own template (``templates/perfreport``), and cells tagged ``notebook-only``
(analyst guidance) are removed. The PDF is made from the same HTML with the print stylesheet
(A4, page numbers, running header) as tagged PDF/UA-1.

The page's rules are in their own modules, re-exported here: what it may hold
(:mod:`.sanitise`), its images' text alternatives (:mod:`.alt_text`) and its table of contents
(:mod:`.contents`).
"""

from __future__ import annotations

import gc
import re
import threading
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.build.alt_text import PLACEHOLDER_ALT, RenderError, check_images
from perfreport.build.contents import CONTENTS_ID, CONTENTS_LABEL_CHARS, with_contents
from perfreport.build.sanitise import (
    CSP,
    CSP_META,
    OUTPUT_ATTRIBUTES,
    OUTPUT_TAGS,
    OUTPUT_URL_SCHEMES,
    sanitise_output,
)

if TYPE_CHECKING:
    import nbformat

__all__ = [
    "CONTENTS_ID",
    "CONTENTS_LABEL_CHARS",
    "CSP",
    "CSP_META",
    "OUTPUT_ATTRIBUTES",
    "OUTPUT_TAGS",
    "OUTPUT_URL_SCHEMES",
    "PLACEHOLDER_ALT",
    "REPORT_TEMPLATE",
    "TEMPLATES",
    "RenderError",
    "Renderer",
    "ReportMeta",
    "check_images",
    "sanitise_output",
    "with_contents",
]

TEMPLATES = Path(str(files("perfreport") / "templates"))
TEMPLATE_NAME = "perfreport"
REPORT_TEMPLATE = TEMPLATES / TEMPLATE_NAME
"""The report page's template and stylesheets (what a report's cache key hashes of the
templates; the project templates beside it make no report)."""
NOTEBOOK_ONLY_TAG = "notebook-only"
PDF_VARIANT = "pdf/ua-1"
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')


@dataclass(frozen=True)
class ReportMeta:
    """What the page says about itself: title, description, organisation, language."""

    title: str
    description: str
    organisation: str
    footer: str
    lang: str = "en-GB"


class Renderer:
    """Turns executed notebooks into HTML and PDF, reusing one exporter."""

    def __init__(self) -> None:
        # imported here: nbconvert takes a second to load, and a run whose reports are all
        # cached never renders
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor
        from traitlets.config import Config

        class Exporter(HTMLExporter):  # type: ignore[misc]
            """nbconvert's HTML exporter with Jinja's autoescape on: every text the template
            prints is escaped unless the package marked it as HTML it built (``| safe``, or
            ``| sanitise`` for outputs and narrative)."""

            def _create_environment(self):  # type: ignore[no-untyped-def]
                environment = super()._create_environment()
                environment.autoescape = True
                return environment

        config = Config()
        config.TagRemovePreprocessor.remove_cell_tags = {NOTEBOOK_ONLY_TAG}
        config.TagRemovePreprocessor.enabled = True
        self._exporter = Exporter(
            config=config, template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES)]
        )
        self._exporter.register_filter("sanitise", sanitise_output)
        self._exporter.exclude_input = True
        self._exporter.exclude_input_prompt = True
        self._exporter.exclude_output_prompt = True
        self._exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
        self._css = (REPORT_TEMPLATE / "report.css").read_text(encoding="utf-8")
        self._print_css = (REPORT_TEMPLATE / "print.css").read_text(encoding="utf-8")
        self._fonts: object = None  # WeasyPrint's font configuration, made by the first PDF
        self._pdf_lock = threading.Lock()  # Pango's font map is not shared between threads

    def html(self, notebook: nbformat.NotebookNode, meta: ReportMeta) -> str:
        """The report page for an executed notebook."""
        resources = {
            "perfreport": {
                "title": meta.title,
                "description": meta.description,
                "organisation": meta.organisation,
                "footer": meta.footer,
                "lang": meta.lang,
                "css": self._css,
                "print_css": self._print_css,
                "csp": CSP,
            }
        }
        body, _ = self._exporter.from_notebook_node(notebook, resources=resources)
        page = with_contents(_ANCHOR_LINK.sub("", body))
        check_images(page)
        return page

    def pdf(self, html: str, target: Path, base: Path) -> None:
        """Write the PDF of ``html`` (tagged PDF/UA-1) to ``target``.

        Every PDF of this renderer shares one font configuration (Pango's font map keeps the
        fonts it loaded, and WeasyPrint its measured struts); the cyclic garbage collector is
        paused while WeasyPrint lays the page out, since the boxes it makes by the hundred
        thousand are garbage only once the PDF is written. Neither changes the PDF's bytes.
        """
        # imported late: it loads Pango, needed only for PDFs
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        from perfreport.build import svg_text

        svg_text.install()
        with self._pdf_lock:
            if self._fonts is None:
                self._fonts = FontConfiguration()
            collecting = gc.isenabled()
            gc.disable()
            try:
                # a page's images are its own data: nothing is fetched from the network or
                # the build machine's files while its PDF is made
                fetcher = URLFetcher(allowed_protocols={"data"})
                HTML(string=html, base_url=str(base), url_fetcher=fetcher).write_pdf(
                    target, pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=self._fonts
                )
            finally:
                if collecting:
                    gc.enable()
