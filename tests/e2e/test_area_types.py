"""A project of another organisation: an English trust's hierarchy declared in areas.yaml,
a cycle for trusts only; `perfreport check` passes and the cycle plans one job per trust."""

from __future__ import annotations

import shutil
from pathlib import Path

from perfreport.build.jobs import plan
from perfreport.config.areas import load_areas
from perfreport.config.cycles import load_cycles
from perfreport.config.project import Project
from perfreport.methods.periods import parse_period
from tests.helpers import GOOD_ENTRY, REPO

TRUST_AREAS = """\
area_types:
  - {id: trust, name: NHS trust, parent: icb, role: body}
  - {id: icb, name: integrated care board, parent: region}
  - {id: region, name: region, parent: england}
  - {id: england, name: country, role: comparator}
areas:
  - {code: E92000001, name: England, type: england, slug: england}
  - {code: E40000003, name: London, type: region, parent: E92000001, slug: london}
  - {code: E54000027, name: NHS North East London ICB, type: icb, parent: E40000003, slug: nel-icb}
  - {code: R1H, name: Barts Health NHS Trust, type: trust, parent: E54000027, slug: barts}
  - {code: RQX, name: Homerton Healthcare NHS Trust, type: trust, parent: E54000027, slug: homerton}
"""
TRUST_CYCLES = """\
organisation: NHS North East London
cycles:
  - id: trust-monthly
    title: Trust monthly report
    notebook: notebooks/monthly.ipynb
    period: month
    areas: [trust]
    reads: [body, comparator]
"""


def trust_project(root: Path) -> Path:
    params = root / "params"
    (params / "catalogue").mkdir(parents=True)
    (root / "notebooks").mkdir()
    for name in ("framework.yaml", "rag.yaml"):
        shutil.copy(REPO / "params" / name, params / name)
    shutil.copy(REPO / "notebooks" / "monthly.ipynb", root / "notebooks" / "monthly.ipynb")
    (params / "catalogue" / "local.yaml").write_text(GOOD_ENTRY, encoding="utf-8")
    (params / "areas.yaml").write_text(TRUST_AREAS, encoding="utf-8")
    (params / "cycles.yaml").write_text(TRUST_CYCLES, encoding="utf-8")
    return root


def test_a_trust_project_passes_the_check_and_plans_one_job_per_trust(tmp_path, cli):
    root = trust_project(tmp_path)
    result = cli("check", cwd=root)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: params/ checked: 1 indicator, 5 areas, 1 cycle, ")
    areas = load_areas(root / "params" / "areas.yaml")
    cycle = load_cycles(root / "params" / "cycles.yaml", root).get("trust-monthly")
    jobs = plan(Project(root), cycle, parse_period("2025-03"), areas, "NHS North East London")
    assert [j.area.code for j in jobs] == ["R1H", "RQX"]
    assert [j.key for j in jobs] == [
        "trust-monthly/2025-03/barts",
        "trust-monthly/2025-03/homerton",
    ]
    assert jobs[0].reads == ("R1H", "E92000001")  # its own (it is its body) and England's
    assert areas.body_of("R1H").code == "R1H" and areas.comparator.name == "England"
    assert areas.body_of("E54000027").code == "E54000027"  # no body above an ICB: itself
