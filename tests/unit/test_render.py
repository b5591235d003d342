"""The renderer's PDFs: one font configuration and no garbage-collector pauses across a worker's
reports, and the same bytes as a renderer of its own would write."""

from __future__ import annotations

import gc

import pikepdf
import pytest

from perfreport.build.render import Renderer

PAGE = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Test report</title>
<style>table { width: 100%; } @page { @bottom-right { content: counter(page); } }</style></head>
<body><h1>Test report</h1><p>Delayed discharges fell in the quarter.</p>
<table><caption>Bed days</caption><thead><tr><th>Area</th><th>Days</th></tr></thead>
<tbody><tr><th>Rural Stirling</th><td>1,204</td></tr><tr><th>Urban Stirling</th><td>987</td></tr>
</tbody></table></body></html>"""


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


def test_a_workers_pdfs_are_the_bytes_a_fresh_renderer_writes(renderer, tmp_path):
    for n in range(2):  # the second reuses the first's fonts
        renderer.pdf(PAGE, tmp_path / f"shared-{n}.pdf", base=tmp_path)
    Renderer().pdf(PAGE, tmp_path / "fresh.pdf", base=tmp_path)
    fresh = (tmp_path / "fresh.pdf").read_bytes()
    assert (tmp_path / "shared-0.pdf").read_bytes() == fresh
    assert (tmp_path / "shared-1.pdf").read_bytes() == fresh
    with pikepdf.open(tmp_path / "fresh.pdf") as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("pdfuaid:part") == "1"
        assert "/StructTreeRoot" in pdf.Root and str(pdf.docinfo.Title) == "Test report"


@pytest.mark.parametrize("collecting", [True, False])
def test_the_garbage_collector_is_left_as_it_was(renderer, tmp_path, collecting):
    gc.enable() if collecting else gc.disable()
    try:
        renderer.pdf(PAGE, tmp_path / "report.pdf", base=tmp_path)
        assert gc.isenabled() is collecting
    finally:
        gc.enable()


def test_a_pdf_fetches_nothing_from_the_network_or_the_build_machine(renderer, tmp_path):
    import http.server
    import threading

    asked: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    page = PAGE.replace(
        "<h1>Test report</h1>",
        f'<h1>Test report</h1><img alt="a" src="http://127.0.0.1:{server.server_port}/x.png">'
        f'<img alt="b" src="{secret.as_uri()}"><img alt="c" src="secret.png">',
    )
    try:
        renderer.pdf(page, tmp_path / "out.pdf", base=tmp_path)
    finally:
        server.shutdown()
    assert asked == []
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ('<a href=" data:text/html,x">a</a>', "<a>a</a>"),
        ('<a href="\x01data:text/html,x">a</a>', "<a>a</a>"),
        ('<a href="&#x20;data:text/html,x">a</a>', "<a>a</a>"),
        ('<a href=" javascript:alert(1)">a</a>', "<a>a</a>"),
        ('<a href="java\tscript:alert(1)">a</a>', "<a>a</a>"),
        ('<a href=" https://example.org/a">a</a>', '<a href="https://example.org/a">a</a>'),
        ('<a href="#contents">a</a>', '<a href="#contents">a</a>'),
        (
            '<img src=" data:image/png;base64,AAAA" alt="x">',
            '<img src="data:image/png;base64,AAAA" alt="x">',
        ),
    ],
)
def test_an_address_is_judged_as_a_browser_reads_it(given, kept):
    from perfreport.build.sanitise import sanitise_output

    assert str(sanitise_output(given)) == kept
