"""Cache keys: a job's key hashes everything its report depends on (the notebook, the
prepared results it reads: its area and those its cycle declares, up to its period; the
templates, the ``params/`` folder, the package version and its parameters; and, for a report
rendered by Quarto, the renderer and Quarto's version). A report whose published key matches
is not rebuilt.

The prepared results count by their digests, stored by ``perfreport prepare``
(:mod:`perfreport.assess.digests`): the inputs' hashes, not the report's data computed again."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport import __version__
from perfreport.assess.digests import UNPROTECTED, Wanted, data_digests
from perfreport.build.provenance import read_record
from perfreport.build.render import REPORT_TEMPLATE
from perfreport.store.warehouse import connect

if TYPE_CHECKING:
    import duckdb

    from perfreport.build.jobs import Job
    from perfreport.config.project import Project


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    """The hash of one file's contents."""
    return _sha(path.read_bytes())


def files_in(folder: Path, skip: Iterable[str] = ()) -> list[Path]:
    """Every file under ``folder``, sorted, following symbolic links to folders (each real
    folder once, so a link to a folder above cannot loop); none under a folder named in
    ``skip``."""
    left_out, seen, found = set(skip), set(), []
    for here, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = [f for f in folders if f not in left_out]
        found += [Path(here) / n for n in names if (Path(here) / n).is_file()]
    return sorted(found)


def tree_hash(folder: Path) -> str:
    """One hash of every file under ``folder`` (:func:`files_in`): names and contents."""
    digest = hashlib.sha256()
    for path in files_in(folder):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def shared_inputs(project: Project) -> dict[str, str]:
    """The inputs every report of a run shares: templates, configuration and package version.

    The whole ``params/`` folder counts (catalogue, targets, plans, commentary, strategy): a
    change there can change any report's text.
    """
    return {
        "templates": tree_hash(REPORT_TEMPLATE),
        "params": tree_hash(project.params),
        "perfreport": __version__,
    }


def with_cache_keys(jobs: Sequence[Job]) -> list[Job]:
    """Each job with its input hashes and the cache key made from them (one warehouse
    connection, one query of the digests and one hash of the shared inputs for the lot)."""
    if not jobs:
        return []
    shared = shared_inputs(jobs[0].project)
    with connect(jobs[0].project.warehouse, read_only=True) as con:
        data = data_digests(con, [_wanted(job) for job in jobs])
    return [_keyed(job, shared, digest) for job, digest in zip(jobs, data, strict=True)]


def with_cache_key(job: Job, shared: dict[str, str], con: duckdb.DuckDBPyConnection) -> Job:
    """The job with its input hashes and the cache key made from them."""
    return _keyed(job, shared, data_digests(con, [_wanted(job)])[0])


def _wanted(job: Job) -> Wanted:
    """The digests a job's report reads: its areas' prepared rows up to its period, before
    disclosure control and under its cycle's rule."""
    rule = job.cycle.disclosure
    rules = (UNPROTECTED, rule.key) if rule.active else (UNPROTECTED,)
    return rules, job.reads, job.period.end


def _keyed(job: Job, shared: dict[str, str], data: str) -> Job:
    inputs = {
        **shared,
        "notebook": file_hash(job.project.root / job.cycle.notebook),
        "data": data,
        "parameters": json.dumps(
            {k: v for k, v in job.parameters.items() if k != "project"}, sort_keys=True
        ),
    }
    if job.renderer != "weasyprint":  # the default renderer's keys are as they always were
        from perfreport.build import quarto

        inputs["renderer"] = f"{job.renderer} {quarto.version(quarto.executable())}"
    key = _sha(json.dumps(inputs, sort_keys=True).encode("utf-8"))
    return replace(job, cache_key=key, inputs=tuple(sorted(inputs.items())))


def is_cached(job: Job) -> bool:
    """Whether the published report is whole and was built from exactly these inputs."""
    record = read_record(job.out_dir)
    return record is not None and record.get("cache_key") == job.cache_key
