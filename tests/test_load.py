"""A short load run (bench/load.py) against a live server: no errors, no lost edits."""

from __future__ import annotations

from bench.load import run_load


def test_eight_clients_mixing_checks_jobs_and_edits_see_no_errors_and_lose_no_edit(live_server: str) -> None:
    report = run_load(live_server, clients=8, duration=8.0)
    summary = report.summary()
    assert summary["errors"] == 0, summary["error_examples"]
    assert summary["lost_edits"] == 0, summary["lost_examples"]
    assert summary["acknowledged_edits"] >= 10
    assert summary["by_kind"]["check"]["requests"] >= 50
    assert summary["by_kind"]["analysis_job"]["requests"] >= 1
