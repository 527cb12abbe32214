"""20 reviewers at once while the pipeline writes: no 500, no reset, nothing refused."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.load import run_load


def test_a_team_of_reviewers_and_a_writer_get_no_errors(tmp_path: Path) -> None:
    report = run_load(tmp_path, reviewers=20, requests=400)  # the short run; the benchmark does 2,000
    print(report.line())
    assert report.requests == 400 and report.written > 0
    assert not report.errors, report.line()
