"""The README's worked source spec loads its example through `perfreport ingest`."""

from __future__ import annotations

import re

from tests.helpers import README


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
        "complaints_2025-01.csv: 3 rows read, 2 accepted, 0 quarantined, 1 filtered, 0 revised; load 1"
    )
