"""The README's promises: two Quickstart commands, and a worked source spec that works."""

from __future__ import annotations

import re

from tests.helpers import README, REPO


def test_quickstart_is_exactly_two_one_line_sh_commands_and_ci_runs_the_second():
    quickstart = re.search(r"^## Quickstart$(.*?)^## ", README, re.S | re.M).group(1)
    blocks = re.findall(r"^```sh\n(.*?)^```", quickstart, re.S | re.M)
    assert len(blocks) == 2
    assert all(len(b.strip().splitlines()) == 1 for b in blocks)
    assert "perfreport demo" in blocks[0] and "pytest" in blocks[1]
    ci = (REPO / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci.splitlines()
