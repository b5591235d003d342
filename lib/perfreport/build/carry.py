"""What a report built on another machine carries there and back, as bytes: the project's
files a notebook reads (``params/``, ``notebooks/`` and each cycle's notebook), the prepared
results of the areas it reads (:mod:`perfreport.assess.slices`), and the report folder it
comes back as. Nothing names a folder of either machine."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from perfreport.assess.slices import Slice
from perfreport.build.cache import files_in
from perfreport.errors import PerfreportError

SKIPPED = (".ipynb_checkpoints", "__pycache__")
"""Folders under ``notebooks/`` that no report reads (JupyterLab's and Python's own);
``params/`` goes whole, as its hash in the cache key covers it whole."""


@dataclass(frozen=True)
class Files:
    """Files by path (POSIX, relative to a folder) and one hash of them all."""

    files: Mapping[str, bytes]
    digest: str = field(default="")

    @classmethod
    def of(cls, files: Mapping[str, bytes]) -> Files:
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
        return cls(dict(files), digest.hexdigest())

    def write(self, folder: Path) -> None:
        """Write every file under ``folder``."""
        for name, data in self.files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    @property
    def size(self) -> int:
        """Bytes in all."""
        return sum(len(data) for data in self.files.values())


def folder_files(folder: Path, skip: Iterable[str] = ()) -> dict[str, bytes]:
    """Every file under ``folder`` (:func:`perfreport.build.cache.files_in`: links to folders
    followed), by relative path; none under a folder named in ``skip``."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in files_in(folder, skip)
    }


def project_files(root: Path, notebooks: Iterable[str]) -> Files:
    """What a report's notebook reads of the project at ``root``: ``params/`` whole (as the
    cache key hashes it), ``notebooks/`` but :data:`SKIPPED` (a notebook may import a module
    beside it), and ``notebooks`` (each cycle's notebook, wherever it is), by path relative
    to ``root``."""
    files: dict[str, bytes] = {}
    for folder, skip in (("params", ()), ("notebooks", SKIPPED)):
        if (root / folder).is_dir():
            found = folder_files(root / folder, skip)
            files |= {f"{folder}/{name}": data for name, data in found.items()}
    for notebook in notebooks:
        where = Path(notebook)
        if where.is_absolute() or ".." in where.parts:
            raise PerfreportError(
                f"params/cycles.yaml: field 'notebook': {notebook} is outside the project "
                "folder; a cluster's workers get only the project's files: move it into "
                "notebooks/"
            )
        files[where.as_posix()] = (root / where).read_bytes()
    return Files.of(files)


def replace_project(files: Files, root: Path) -> None:
    """Make ``root`` hold exactly ``files`` (and its ``data/`` folder, left as it is): the
    folder itself stays, since a kernel waiting to run the next report was started in it."""
    root.mkdir(parents=True, exist_ok=True)
    for path in root.iterdir():
        if path.name == "data":
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    files.write(root)


def held(data: object) -> object:
    """What a cluster task holding ``data`` returns: the data itself. Sent as a task rather
    than scattered, the data stay with the scheduler, which makes them again on another
    worker if the worker holding them dies."""
    return data


@dataclass(frozen=True)
class AreaData:
    """One area's prepared results, as Parquet bytes by table (sent to a cluster once)."""

    code: str
    tables: Slice


@dataclass(frozen=True)
class Returned:
    """A report as it comes back from a worker: the one-line outcome and its folder's files."""

    ok: bool
    seconds: float
    error: str
    files: Files
