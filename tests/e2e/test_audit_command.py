"""`perfreport audit` on a site with a small count: each recovery printed, exit status 1."""

from __future__ import annotations

import numpy as np

from perfreport.cli.commands import main
from tests.helpers import copy_project, count_results, count_site


def test_perfreport_audit_prints_each_recovery_and_exits_1(tmp_path, areas, capsys, monkeypatch):
    counts = np.full((3, 12), 20.0)
    counts[2, 7] = 1
    project = copy_project(tmp_path / "project")
    outputs = count_site(project, count_results(counts), complementary=False, areas=areas)
    monkeypatch.chdir(project)
    assert main(["audit", str(outputs)]) == 1
    printed = capsys.readouterr().out
    assert (
        "recovered: annual/FY2024-25/clackmannanshire-and-stirling/data.csv: DD CS-UST November 2024: numerator = 1"
        in printed
    )
    assert "1 controlled reports" in printed
    count_site(project, count_results(counts), complementary=True, areas=areas)
    assert main(["audit"]) == 0
    assert ", 0 recovered" in capsys.readouterr().out
