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


SECTION = README.split("## Bring your own data", 1)[1].split("\n## ", 1)[0]


def test_every_source_spec_key_is_documented():
    from perfreport.store.ingest.spec import PeriodSpec, SourceSpec

    keys = {f.alias or name for name, f in SourceSpec.model_fields.items()}
    keys |= set(PeriodSpec.model_fields) | {"in", "not_in"}
    missing = sorted(k for k in keys if f"`{k}`" not in SECTION and f"{k}:" not in SECTION)
    assert missing == []


def test_every_period_label_format_is_documented_with_an_example_that_parses():
    from perfreport.methods.period_labels import parse_period_label

    table = SECTION.split("### Period labels", 1)[1].split("###", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    read = {}
    for row in rows:
        for example in re.findall(r"`([^`]+)`", row.split("|")[2]):
            read[example] = parse_period_label(example).label
    assert read == {
        "2024/25": "2024/25",
        "2024-25": "2024/25",
        "FY2024-25": "2024/25",
        "Q1 2024/25": "Q1 2024/25",
        "2024/25 Q1": "Q1 2024/25",
        "2024-25-Q1": "Q1 2024/25",
        "Jan-Mar 2018": "Q4 2017/18",
        "January to March 2018": "Q4 2017/18",
        "H1 2024/25": "H1 2024/25",
        "April 2021": "April 2021",
        "Apr 2021": "April 2021",
        "Sept 2021": "September 2021",
        "2021-04": "April 2021",
        "202104": "April 2021",
        "2021-04-01": "April 2021",
        "2007-07-31": "July 2007",
        "2024": "2024",
    }
