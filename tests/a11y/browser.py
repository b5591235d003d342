"""Debian's Chromium with axe-core (npm), and poppler's pdftoppm: found, never installed here.

The tests and ``nox -s screenshots`` need them. ``.ci/run`` (through ``.ci/install-tools``)
installs them before pytest starts: Chromium and poppler-utils with ``apt-get``, and axe-core
with playwright-core (used only as a driver for Debian's Chromium, never to download a browser)
with ``npm ci`` from ``tests/a11y/package-lock.json``. A missing tool raises :class:`ToolMissing`
with one line saying how to install it; ``tests/conftest.py`` makes that the test's whole failure
message. It is never a reason to skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
APT_PACKAGES = {"chromium": "chromium", "pdftoppm": "poppler-utils", "node": "nodejs npm"}
RUN_SECONDS = 900
NPM_PACKAGES = ("axe-core", "playwright-core")


class ToolMissing(RuntimeError):
    """A tool the checks need is not installed (the message says how to install it)."""


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=RUN_SECONDS, **kwargs)


def find_command(name: str) -> str:
    """The path of ``name`` (``chromium``, ``pdftoppm`` or ``node``) on ``PATH``."""
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(
            f"{name} is not installed; run: apt-get install {APT_PACKAGES[name]} (or .ci/run)"
        )
    return found


def find_axe() -> Path:
    """``tests/a11y/node_modules``, which must hold axe-core and playwright-core."""
    modules = HERE / "node_modules"
    absent = [name for name in NPM_PACKAGES if not (modules / name / "package.json").is_file()]
    if absent:
        raise ToolMissing(
            f"{' and '.join(absent)} {'is' if len(absent) == 1 else 'are'} not installed in tests/a11y; "
            "run: (cd tests/a11y && npm ci) (or .ci/run)"
        )
    return modules


def run_axe(pages: list[Path]) -> dict:
    """axe-core's WCAG 2.2 A/AA and best-practice results for each page, opened in Chromium."""
    chromium = find_command("chromium")
    node = find_command("node")
    find_axe()
    done = _run([node, str(HERE / "axe.mjs"), chromium, *map(str, pages)], cwd=HERE)
    if done.returncode != 0:
        raise RuntimeError(f"axe run failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of ``page`` as Chromium shows it."""
    chromium = find_command("chromium")
    png.parent.mkdir(parents=True, exist_ok=True)
    profile = png.parent / ".chromium-profile"
    done = _run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ]
    )
    shutil.rmtree(profile, ignore_errors=True)
    if done.returncode != 0 or not png.is_file():
        raise RuntimeError(f"chromium screenshot of {page} failed: {done.stderr.strip()[-500:]}")
    return png


def first_page(pdf: Path, png: Path, dpi: int = 60) -> Path:
    """A PNG of the first page of ``pdf`` (pdftoppm)."""
    pdftoppm = find_command("pdftoppm")
    png.parent.mkdir(parents=True, exist_ok=True)
    stem = png.with_suffix("")
    done = _run(
        [pdftoppm, "-png", "-singlefile", "-f", "1", "-l", "1", "-r", str(dpi), str(pdf), str(stem)]
    )
    if done.returncode != 0:
        raise RuntimeError(f"pdftoppm {pdf} failed: {done.stderr.strip()[-500:]}")
    return png
