"""Where a perfreport project keeps its files.

A project is a folder holding ``params/`` (catalogue, areas, cycles, demo settings),
``notebooks/``, ``data/`` and ``outputs/``. Commands find it from the working directory
upwards, as git finds its repository, or from an explicit ``--project`` path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perfreport.errors import PerfreportError

MARKER = Path("params") / "catalogue"


@dataclass(frozen=True)
class Project:
    """The folders of one project, all absolute."""

    root: Path

    @property
    def params(self) -> Path:
        return self.root / "params"

    @property
    def catalogue(self) -> Path:
        return self.params / "catalogue"

    @property
    def areas_file(self) -> Path:
        return self.params / "areas.yaml"

    @property
    def demo_file(self) -> Path:
        return self.params / "demo.yaml"

    @property
    def cycles_file(self) -> Path:
        return self.params / "cycles.yaml"

    @property
    def sources(self) -> Path:
        return self.params / "sources"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def demo_data(self) -> Path:
        return self.data / "demo"

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root where possible, for messages."""
        try:
            return str(Path(path).resolve().relative_to(self.root))
        except ValueError:
            return str(path)


def find_project(start: Path | str | None = None) -> Project:
    """Find the project containing ``start`` (default: the working directory).

    Raises
    ------
    PerfreportError
        When neither ``start`` nor any parent holds ``params/catalogue``.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_dir():
            return Project(folder)
    raise PerfreportError(
        f"{here}: not inside a perfreport project (no {MARKER}/ here or in any parent folder); "
        "run from the project folder or pass --project"
    )
