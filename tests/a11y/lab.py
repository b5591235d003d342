"""The report notebooks run in JupyterLab as an analyst runs them (``nox -s lab_screenshots``).

``jupyter lab`` (the ``lab`` extra) serves a copy of a prepared project on 127.0.0.1 with a
random token; ``lab.mjs`` opens each notebook in Debian's Chromium (playwright-core as the
driver, as for the accessibility checks), runs all cells from the Run menu, reads what each
cell shows and saves a screenshot of the whole notebook:
``python -m tests.a11y.lab [PROJECT] [--to FOLDER]``. The project itself is never served, so
nothing JupyterLab writes (checkpoints, a saved notebook) reaches it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

from tests.a11y.browser import HERE, ToolMissing, find_axe, find_command

START_SECONDS = 60
RUN_SECONDS = 300
SETTINGS = {
    # an analyst's own choices, made for the run: nothing saved, every cell drawn, no news
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}
SERVER_OPTIONS = (
    "--no-browser",
    "--allow-root",
    "--ip=127.0.0.1",
    "--port-retries=0",
    "--LabApp.expose_app_in_browser=True",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
)


def copy_project(project: Path, target: Path) -> Path:
    """``project``'s params and notebooks, and its prepared warehouse, copied to ``target``."""
    for folder in ("params", "notebooks"):
        shutil.copytree(project / folder, target / folder, ignore=shutil.ignore_patterns(".*"))
    (target / "data").mkdir()
    shutil.copy2(project / "data" / "warehouse.duckdb", target / "data" / "warehouse.duckdb")
    return target


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _home(folder: Path) -> dict[str, str]:
    """Jupyter's and IPython's folders under ``folder``: no user's settings or kernels are read."""
    env = {
        name: str(folder / name.lower())
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR")
    }
    settings = folder / "settings"
    for plugin, values in SETTINGS.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(folder / "workspaces")
    return env


def _wait_until_up(url: str, token: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with status {server.returncode} on starting")
        try:
            request = urllib.request.Request(
                f"{url}/api/status", headers={"Authorization": f"token {token}"}
            )
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not answer at {url} within {START_SECONDS} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """End the server, which shuts down its kernels; then any of them still running (each
    kernel has a process group of its own), by process id."""
    try:
        kernels = psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kernels = []
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    for kernel in kernels:
        with suppress(psutil.NoSuchProcess):
            kernel.kill()


@contextmanager
def lab_server(root: Path) -> Iterator[tuple[str, str]]:
    """``jupyter lab`` serving ``root`` on a free port of 127.0.0.1: its URL and token."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise ToolMissing(
            "jupyterlab is not installed; run: pip install -c constraints.txt -e '.[lab]'"
        )
    port, token = _free_port(), secrets.token_hex(24)
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="perfreport-lab-") as home:
        command = [sys.executable, "-m", "jupyterlab", *SERVER_OPTIONS, f"--port={port}"]
        command += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
        log = (Path(home) / "server.log").open("wb")
        server = subprocess.Popen(
            command,
            cwd=root,
            env={**os.environ, **_home(Path(home))},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, token, server)
            yield url, token
        finally:
            _stop(server)
            log.close()


def run_notebooks(root: Path, notebooks: list[str], folder: Path) -> list[dict]:
    """Run each notebook (a path under ``root``) in JupyterLab; what each showed (``lab.mjs``)."""
    chromium, node = find_command("chromium"), find_command("node")
    find_axe()
    folder.mkdir(parents=True, exist_ok=True)
    with lab_server(root) as (url, token):
        done = subprocess.run(
            [node, str(HERE / "lab.mjs"), chromium, url, token, str(folder.resolve()), *notebooks],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=RUN_SECONDS,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the JupyterLab run failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)["notebooks"]


def problems(result: dict) -> list[str]:
    """One line for each cell of a notebook's run that showed an error (an error output, or
    an output that failed to render) or did not run."""
    name = result["notebook"]
    found = [
        f"{name}: cell {e['cell'] + 1} failed with {e['ename']}: {e['evalue']}"
        + ("" if e["shown"] else " (not shown as an error output)")
        for e in result["errors"]
    ]
    found += [
        f"{name}: cell {u['cell'] + 1} has a {u['type']} output that failed to render: "
        + " ".join(u["text"].split())[:200]
        for u in result["unrendered"]
    ]
    found += [
        f"{name}: cell {index + 1} did not run (its prompt is {prompt!r})"
        for index, prompt in enumerate(result["counts"])
        if not prompt.strip("[]:").isdigit()
    ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", default=Path.cwd(), type=Path)
    parser.add_argument("--to", default=Path("screenshots"), type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perfreport-lab-project-") as copy:
        root = copy_project(args.project.resolve(), Path(copy) / "project")
        names = [f"notebooks/{path.name}" for path in sorted((root / "notebooks").glob("*.ipynb"))]
        results = run_notebooks(root, names, args.to)
    found = [line for result in results for line in problems(result)]
    for result in results:
        print(f"{result['screenshot']} ({result['seconds']:.1f} s)")
    for line in found:
        print(line, file=sys.stderr)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
