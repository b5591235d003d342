"""perfreport's papermill engine writes the executed notebook at the start and the end, not
around every cell, and says which cell is running in a small file beside it; the executed
notebook is what papermill's own engine writes."""

from __future__ import annotations

import json

import nbformat
import papermill

from perfreport.build.layout import RUNNING
from perfreport.build.papermill_engine import ENGINE
from perfreport.build.scrub import for_publication

PEEK = f"""import json, pathlib
on_disk = json.loads(pathlib.Path('executed.ipynb').read_text())
print('first output on disk:', bool(on_disk['cells'][1]['outputs']))
print('running:', json.loads(pathlib.Path({RUNNING!r}).read_text())['cell'])"""


def _notebook(path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("A report", id="title"),
        nbformat.v4.new_code_cell("print('hello')", id="hello"),
        nbformat.v4.new_code_cell(PEEK, id="peek"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def _executed(folder, engine: str | None):  # type: ignore[no-untyped-def]
    """The executed notebook's path, run in ``folder`` by ``engine`` (None: papermill's)."""
    folder.mkdir()
    _notebook(folder / "in.ipynb")
    if engine is None:  # nothing of ours writes which cell runs: the peek cell reads this
        (folder / RUNNING).write_text(json.dumps({"cell": 2}))
    papermill.execute_notebook(
        str(folder / "in.ipynb"),
        str(folder / "executed.ipynb"),
        engine_name=engine,
        cwd=str(folder),
        progress_bar=False,
        kernel_name="python3",
    )
    return folder / "executed.ipynb"


def test_the_notebook_is_written_at_the_start_and_the_end_and_the_running_cell_beside_it(
    tmp_path,
):
    path = _executed(tmp_path / "ours", ENGINE)
    executed = nbformat.read(path, as_version=4)
    said = "".join(o.get("text", "") for o in executed.cells[2].outputs)
    assert "first output on disk: False" in said  # not written after the first cell
    assert "running: 2" in said  # the second code cell
    assert executed.cells[1].outputs[0]["text"] == "hello\n"  # written at the end, whole
    assert not (path.parent / RUNNING).exists()


def test_the_executed_notebook_is_what_papermills_own_engine_writes(tmp_path):
    published = []
    for path in (_executed(tmp_path / "ours", ENGINE), _executed(tmp_path / "theirs", None)):
        nb = nbformat.read(path, as_version=4)
        for_publication(nb, path.parent, "in.ipynb", "out/notebook.ipynb")
        nb.cells[2].outputs = [o for o in nb.cells[2].outputs if "on disk" not in o.get("text", "")]
        published.append(nbformat.writes(nb))
    assert published[0] == published[1]
