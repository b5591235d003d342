"""``perfreport publish`` in a project with nothing it may publish says so in one line."""

from __future__ import annotations

from tests.helpers import copy_project, run_cli


def test_publishing_with_no_cycle_under_disclosure_control_is_one_line(tmp_path):
    project = copy_project(tmp_path / "project")
    cycles = project / "params" / "cycles.yaml"
    text = cycles.read_text(encoding="utf-8")
    for controlled in ("{threshold: 5}", "{public: true, threshold: 5}"):
        text = text.replace(f"disclosure: {controlled}", "disclosure: {control: false}")
    cycles.write_text(text, encoding="utf-8")
    done = run_cli("publish", str(tmp_path / "public"), cwd=project)
    assert done.code == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        "perfreport: error: params/cycles.yaml: nothing to publish: no cycle is under "
        "disclosure control (the public site holds only those cycles' reports; leave "
        "disclosure control on (remove 'control: false') for the cycles that are public)"
    ]
    assert not (tmp_path / "public").exists()
