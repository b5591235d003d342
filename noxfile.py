"""Sessions that mirror CI: tests, lint, demo. Each installs from constraints.txt, as CI does;
the browser tests also need `bash .ci/install-tools` (Chromium, poppler, tests/a11y's npm)."""

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.default_venv_backend = "venv"


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Run the whole test suite."""
    session.install("-c", "constraints.txt", "-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """Style and common mistakes (ruff), the layer contract (lint-imports) and types (mypy), as
    tests/unit/test_codebase.py checks them in CI."""
    session.install("-c", "constraints.txt", "-e", ".[test]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")
    session.run("mypy")


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    """Build the demo reports, as the README's first command does."""
    session.install("-c", "constraints.txt", "-e", ".")
    session.run("perfreport", "demo")


@nox.session(python="3.11")
def benchmark(session: nox.Session) -> None:
    """Time ingesting a million rows (under 30 s, 2 GB), refusing hostile files (a million
    columns, a 100 MB cell: under 10 s, 1 GB, beside plain pandas), preparing the demo (under
    10 s), and building every demo report against the naive pipeline on the same cores (3 times
    faster than it run with ``xargs -P`` one per core, 6 times faster than it run serially; a
    no-change re-run under 1 s; a change to one locality's data rebuilds only the reports that
    read it; a locality report under 2 CPU seconds, every report type's printed)."""
    session.install("-c", "constraints.txt", "-e", ".")
    session.run("python", "benchmarks/ingest_million.py")
    session.run("python", "benchmarks/ingest_hostile.py")
    session.run("python", "benchmarks/prepare_demo.py")
    session.run("python", "benchmarks/build_all.py")


@nox.session(python="3.11")
def cluster_benchmark(session: nox.Session) -> None:
    """Build the national locality batch (perfreport init --template national) with the local
    pool and on a Dask LocalCluster of 1 and 2 workers: reports per minute and the overhead per
    report of each (``-- --areas N`` for a quick look at the first N areas)."""
    session.install("-c", "constraints.txt", "-e", ".[cluster]")
    session.run("python", "benchmarks/cluster_scaling.py", *session.posargs)


@nox.session(python="3.11")
def realdata(session: nox.Session) -> None:
    """The real-extract tests with a report for every area of all four extracts (the test
    suite builds a sample of areas: one board, hospital and trust, two councils and their
    partnership)."""
    session.install("-c", "constraints.txt", "-e", ".[test]")
    session.run("pytest", "tests/e2e/test_realdata_projects.py", env={"PERFREPORT_REALDATA": "all"})


@nox.session(python="3.11")
def screenshots(session: nox.Session) -> None:
    """Build the demo, then write a PNG of each report type's first PDF page and of the site
    pages to screenshots/, for a person to look at before publishing."""
    session.install("-c", "constraints.txt", "-e", ".")
    session.run("perfreport", "demo")
    session.run("python", "-m", "tests.a11y.screenshots", "outputs", "--to", "screenshots")


@nox.session(python="3.11")
def lab_screenshots(session: nox.Session) -> None:
    """Build the demo, then run every report notebook in JupyterLab (a copy of the project,
    served on 127.0.0.1 with a token; Run > Run All Cells in Chromium) and write a PNG of each
    whole notebook with its outputs to screenshots/lab-<notebook>.png; fails if a cell shows
    an error."""
    session.install("-c", "constraints.txt", "-e", ".[test]")
    session.run("perfreport", "demo")
    session.run("python", "-m", "tests.a11y.lab", ".", "--to", "screenshots")
