"""Papermill's own engine (nbclient), saving the executed notebook less often.

Papermill writes the whole notebook to its output file when the run starts, before and after
every cell, and at the end. A report's notebook holds its charts, so those twenty-odd writes
(each validates and serialises every output so far) cost a quarter of a second of CPU per
report. This engine writes it at the start and at the end (also when a cell fails or times
out), and during a long cell as papermill's autosave does (every 30 seconds); before each code
cell it writes only which cell is running (:data:`~perfreport.build.layout.RUNNING`, a few hundred bytes beside the
notebook, removed at the end), which is what the record of a worker that died needs
(:mod:`perfreport.build.deaths`). The executed notebook is the same, byte for byte.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

from perfreport.build.layout import RUNNING

ENGINE = "perfreport"


class _SparingManager(NotebookExecutionManager):  # type: ignore[misc]
    _quiet = False

    @contextlib.contextmanager
    def _not_saving(self) -> Iterator[None]:
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def save(self, **kwargs: Any) -> None:
        if not self._quiet:
            super().save(**kwargs)

    def cell_start(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        with self._not_saving():
            super().cell_start(cell, cell_index, **kwargs)
        if self.output_path and cell.cell_type == "code" and cell_index is not None:
            number = sum(c.cell_type == "code" for c in self.nb.cells[: cell_index + 1])
            running = {"cell": number, "source": cell.source}
            _running_file(self.output_path).write_text(json.dumps(running), encoding="utf-8")

    def cell_complete(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        with self._not_saving():
            super().cell_complete(cell, cell_index, **kwargs)

    def notebook_complete(self, **kwargs: Any) -> None:
        super().notebook_complete(**kwargs)
        if self.output_path:
            _running_file(self.output_path).unlink(missing_ok=True)


class _SparingEngine(NBClientEngine):  # type: ignore[misc]
    @classmethod
    def execute_notebook(  # type: ignore[no-untyped-def]
        cls,
        nb,
        kernel_name,
        output_path=None,
        progress_bar=True,
        log_output=False,
        autosave_cell_every=30,
        **kwargs,
    ):
        """Papermill's :meth:`papermill.engines.Engine.execute_notebook`, with the manager
        above."""
        manager = _SparingManager(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        manager.notebook_start()
        try:
            cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
        finally:
            manager.cleanup_pbar()
            manager.notebook_complete()
        return manager.nb


def _running_file(notebook: str | Path) -> Path:
    return Path(notebook).with_name(RUNNING)


papermill_engines.register(ENGINE, _SparingEngine)
