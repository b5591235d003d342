"""The runner's housekeeping after an interrupted run."""

from __future__ import annotations

from pathlib import Path

from perfreport.runner import RETIRED, STAGING, recover


def _report(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "report.html").write_text(text)
    return folder


def test_recover_deletes_unfinished_reports_and_restores_one_moved_aside(tmp_path: Path):
    outputs = tmp_path / "outputs"
    _report(outputs / STAGING / "locality--2024-25-Q4--clackmannanshire--123", "half")
    period = outputs / "locality" / "2024-25-Q4"
    # killed between moving the old report aside and swapping the new one in
    _report(period / f".rural-stirling{RETIRED}123", "published")
    # killed after the swap, before the old copy was deleted
    _report(period / "urban-stirling", "new")
    _report(period / f".urban-stirling{RETIRED}456", "old")

    recover(outputs)

    assert not (outputs / STAGING).exists()
    assert (period / "rural-stirling" / "report.html").read_text() == "published"
    assert (period / "urban-stirling" / "report.html").read_text() == "new"
    assert sorted(p.name for p in period.iterdir()) == ["rural-stirling", "urban-stirling"]


def test_recover_on_a_fresh_outputs_folder_does_nothing(tmp_path: Path):
    recover(tmp_path / "outputs")
    assert not (tmp_path / "outputs").exists()
