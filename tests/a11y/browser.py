"""Debian's Chromium with axe-core (npm), and poppler's pdftoppm, installed on first use.

The tests and ``nox -s screenshots`` need them; a fresh machine has neither, so this module
installs them: Chromium and poppler-utils with ``apt-get`` (the machines run as root), and
axe-core with playwright-core (used only as a driver for Debian's Chromium, never to download a
browser) with ``npm ci`` from ``tests/a11y/package-lock.json``. A failure to install is an
error, never a reason to skip.
"""

from __future__ import annotations

import json
import os
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
APT_PACKAGES = {"chromium": "chromium", "pdftoppm": "poppler-utils"}
INSTALL_SECONDS = 900


class ToolMissing(RuntimeError):
    """A tool could not be installed."""


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=INSTALL_SECONDS, **kwargs)


def ensure_command(name: str) -> str:
    """The path of ``name`` (``chromium`` or ``pdftoppm``), installed with apt-get if missing."""
    found = shutil.which(name)
    if found:
        return found
    if os.geteuid() != 0:
        raise ToolMissing(f"{name} is not installed; run: apt-get install {APT_PACKAGES[name]}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", APT_PACKAGES[name]],
    ):
        done = _run(args, env=env)
        if done.returncode != 0:
            raise ToolMissing(f"{' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    found = shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} is still not on PATH after installing {APT_PACKAGES[name]}")
    return found


def ensure_axe() -> Path:
    """``tests/a11y/node_modules`` with axe-core and playwright-core (``npm ci``)."""
    if not (HERE / "node_modules" / "axe-core" / "axe.min.js").is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise ToolMissing("npm is not installed (Node.js 18 or newer is needed)")
        done = _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE)
        if done.returncode != 0:
            raise ToolMissing(f"npm ci failed: {done.stderr.strip()[-500:]}")
    return HERE / "node_modules"


def run_axe(pages: list[Path]) -> dict:
    """axe-core's WCAG 2.2 A/AA and best-practice results for each page, opened in Chromium."""
    chromium = ensure_command("chromium")
    ensure_axe()
    done = _run(["node", str(HERE / "axe.mjs"), chromium, *map(str, pages)], cwd=HERE)
    if done.returncode != 0:
        raise RuntimeError(f"axe run failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of ``page`` as Chromium shows it."""
    chromium = ensure_command("chromium")
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
    pdftoppm = ensure_command("pdftoppm")
    png.parent.mkdir(parents=True, exist_ok=True)
    stem = png.with_suffix("")
    done = _run(
        [pdftoppm, "-png", "-singlefile", "-f", "1", "-l", "1", "-r", str(dpi), str(pdf), str(stem)]
    )
    if done.returncode != 0:
        raise RuntimeError(f"pdftoppm {pdf} failed: {done.stderr.strip()[-500:]}")
    return png
