"""The public site: only the reports that disclosure control protects, audited before release.

``outputs/`` is the build folder: every cycle's reports, management ones included, for the
people they are written for. A management report (``disclosure: {control: false}``) shows
every count, so a site that put it beside the controlled reports would give their suppressed
figures back (the auditor proves it: ``perfreport audit --with-management``). ``perfreport
publish DEST`` therefore makes the site for the public from the controlled cycles alone: it
copies their report folders into a new folder, writes its index, manifest and accessibility
statement from those folders, attacks it with :func:`perfreport.build.audit.audit_site`, and only
if nothing is recovered swaps it in at ``DEST`` whole (the previous site stays until then).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.build.audit import AuditResult, audit_site
from perfreport.build.layout import FAILED
from perfreport.build.provenance import published
from perfreport.build.site import write_site
from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    import pandas as pd

    from perfreport.config.areas import Areas
    from perfreport.config.cycles import Cycles
    from perfreport.config.project import Project


@dataclass(frozen=True)
class Published:
    folder: Path
    reports: int
    cycles: tuple[str, ...]
    audit: AuditResult


def publish_site(
    project: Project,
    cycles: Cycles,
    areas: Areas,
    dest: Path,
    only: Sequence[str] = (),
    truth: pd.DataFrame | None = None,
) -> Published:
    """Copy the controlled cycles' published reports (or those of ``only``) to ``dest`` as a
    site of their own, audited; refuse (nothing changes at ``dest``) if the audit recovers a
    suppressed figure or a cycle asked for is not controlled."""
    controlled = [c.id for c in cycles.items if c.disclosure.active]
    for name in only:
        cycle = cycles.get(name)
        if not cycle.disclosure.active:
            raise PerfreportError(
                f"parameter '--cycle': {cycle.id} shows every count (disclosure control off) "
                "and cannot be published to the public site"
            )
    chosen = tuple(only) or tuple(controlled)
    dest = dest.resolve()
    if dest == project.outputs.resolve() or project.outputs.resolve() in dest.parents:
        raise PerfreportError(f"parameter 'DEST': {dest} is inside the build folder outputs/")
    staging = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for key in published(project.outputs):
            if key.split("/")[0] in chosen and key.split("/")[0] != FAILED:
                shutil.copytree(project.outputs / key, staging / key)
        write_site(project, staging)
        result = audit_site(staging, cycles, areas, truth)
        if result.recoveries:
            raise PerfreportError(
                f"disclosure audit: the site would give away {len(result.recoveries)} "
                f"suppressed figure(s), e.g. {result.recoveries[0].describe()}; nothing was published"
            )
        retired = dest.with_name(f".{dest.name}.{os.getpid()}.old")
        if dest.exists():
            dest.rename(retired)
        staging.rename(dest)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Published(dest, len(published(dest)), chosen, result)
