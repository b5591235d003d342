"""The README's promises: two Quickstart commands, and a worked source spec that works."""

from __future__ import annotations

import re

from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_quickstart_is_exactly_two_one_line_sh_commands_and_ci_runs_the_second():
    quickstart = re.search(r"^## Quickstart$(.*?)^## ", README, re.S | re.M).group(1)
    blocks = re.findall(r"^```sh\n(.*?)^```", quickstart, re.S | re.M)
    assert len(blocks) == 2
    assert all(len(b.strip().splitlines()) == 1 for b in blocks)
    assert "perfreport demo" in blocks[0] and "pytest" in blocks[1]
    ci = (REPO / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci.splitlines()


def test_the_worked_source_spec_loads_the_example(project_copy, cli):
    section = README.split("## Bring your own data", 1)[1]
    spec = re.search(
        r"```yaml\n(# params/sources/council_complaints.yaml\n.*?)```", section, re.S
    ).group(1)
    (project_copy / "params" / "sources" / "council_complaints.yaml").write_text(spec)
    (project_copy / "complaints_2025-01.csv").write_text(
        "Month,Locality,Complaints,On time\n2025-01,Clackmannanshire,12,9\n2025-01,Total,40,30\n"
        "2025-01,Rural Stirling,*,*\n"
    )
    result = cli("ingest", "council_complaints", "complaints_2025-01.csv", cwd=project_copy)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == (
        "complaints_2025-01.csv: 3 rows read, 2 accepted, 0 quarantined, 1 left out by the spec's filters; load 1"
    )
