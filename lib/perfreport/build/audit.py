"""The disclosure auditor: attack a published site as someone after a small count would.

``perfreport audit [OUTPUTS]`` reads what the site publishes for its controlled cycles (every
report's open data and the tables of its web page), pools it, and tries to work out each
suppressed figure with :mod:`perfreport.assess.attack` (the same figure shown elsewhere,
differencing along every hierarchy, derived columns, a web page's own totals).

Every recovery is printed; the command exits 1 if there is any. Builds run the same attack on
what a controlled cycle is about to publish and refuse to publish it if anything is found.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.errors import PerfreportError
from perfreport.store.warehouse import connect

if TYPE_CHECKING:
    import pandas as pd

    from perfreport.assess.attack import Recovery, attack
    from perfreport.assess.attack_tables import attack_tables
    from perfreport.build.jobs import Job
    from perfreport.config.areas import Areas
    from perfreport.config.cycles import Cycles

__all__ = [
    "AUDIT_MARK",
    "AuditResult",
    "Recovery",
    "attack",
    "attack_tables",
    "audit_before_publishing",
    "audit_site",
]
_ATTACK = {"Recovery": "attack", "attack": "attack", "attack_tables": "attack_tables"}
"""The attack's names, re-exported on first use: a run whose audit is already done (its mark
matches) imports neither pandas nor the attack."""


def __getattr__(name: str) -> object:
    if name not in _ATTACK:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"perfreport.assess.{_ATTACK[name]}"), name)


@dataclass(frozen=True)
class AuditResult:
    reports: int
    suppressed: int
    recoveries: list[Recovery]
    skipped: tuple[str, ...]
    """Cycles not audited: disclosure control off (management reports)."""


def audit_site(
    outputs: Path,
    cycles: Cycles,
    areas: Areas,
    truth: pd.DataFrame | None = None,
    *,
    with_management: bool = False,
    attacked: frozenset[str] = frozenset(),
) -> AuditResult:
    """Attack everything the controlled cycles' reports under ``outputs`` publish.

    ``with_management`` adds what the uncontrolled (management) cycles' reports show to the
    attacker's knowledge: the test of a site that publishes both. ``attacked`` names the open
    data files (``cycle/period/area/data.csv``) that :func:`audit_before_publishing` has just
    attacked, pooled, and passed: when the site's open data are exactly those, the same
    attack on the same figures is not made again (only the pages' tables are attacked).
    """
    import pandas as pd

    from perfreport.assess.attack import attack
    from perfreport.assess.attack_tables import attack_tables

    if not outputs.is_dir():
        raise PerfreportError(f"{outputs}: no such folder of published reports")
    controlled = {c.id for c in cycles.items if c.disclosure.active}
    frames, pages = [], []
    for data in sorted(outputs.glob("*/*/*/data.csv")):
        cycle = data.relative_to(outputs).parts[0]
        if cycle not in controlled and not with_management:
            continue
        source = data.relative_to(outputs).as_posix()
        frames.append((source, pd.read_csv(data, dtype={"area_code": str, "indicator_id": str})))
        html = data.with_name("report.html")
        if html.is_file() and cycle in controlled:
            pages.append((html.relative_to(outputs).as_posix(), html.read_text(encoding="utf-8")))
    again = {source for source, _ in frames} != attacked
    found = attack(frames, areas, truth) if again else []
    for source, page in pages:
        found += attack_tables(source, page)
    suppressed = sum(
        int(f["suppressed"].astype(str).str.lower().isin(("true", "1")).sum()) for _, f in frames
    )
    skipped = () if with_management else tuple(sorted(set(c.id for c in cycles.items) - controlled))
    audited = sum(1 for source, _ in frames if source.split("/")[0] in controlled)
    return AuditResult(audited, suppressed, found, skipped)


AUDIT_MARK = ".disclosure-audit"
"""Under outputs/: what the last passing pre-publication audit covered (it is skipped while the
prepared data and the jobs are the same)."""


def audit_before_publishing(jobs: Sequence[Job], areas: Areas) -> frozenset[str]:
    """Refuse to build controlled reports whose open data, pooled, give a suppressed figure
    away (one line naming the first recovery and how many more; nothing is built). Returns
    the open data files that passed (``cycle/period/area/data.csv``)."""
    controlled = [job for job in jobs if job.cycle.disclosure.active]
    if not controlled:
        return frozenset()
    passed = frozenset(f"{job.key}/data.csv" for job in controlled)
    project = controlled[0].project
    with connect(project.warehouse, read_only=True) as con:
        info = con.execute("SELECT * FROM results_info").fetchall()
        mark = hashlib.sha256(
            json.dumps(
                [[str(v) for v in row] for row in info]
                + sorted([job.key, job.cycle.disclosure.key, *job.reads] for job in controlled),
            ).encode()
        ).hexdigest()
        marker = project.outputs / AUDIT_MARK
        if marker.is_file() and marker.read_text(encoding="utf-8").strip() == mark:
            return passed
        from perfreport.assess.attack import attack
        from perfreport.assess.results import all_totals
        from perfreport.build.open_data import open_data

        frames = [(f"{job.key}/data.csv", open_data(job, con)) for job in controlled]
        truth = all_totals(con)
    found = attack(frames, areas, truth)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise PerfreportError(
            f"disclosure audit: a suppressed figure could be worked out from what this build "
            f"would publish: {found[0].describe()}{more}; nothing was built "
            "(run 'perfreport prepare' after changing disclosure settings)"
        )
    project.outputs.mkdir(parents=True, exist_ok=True)
    marker.write_text(mark + "\n", encoding="utf-8")
    return passed
