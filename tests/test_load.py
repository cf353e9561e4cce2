"""A short load run (bench/load.py) against a live server: no errors, no lost edits."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `pytest` (not `python -m pytest`) does not put the working copy on the path
    sys.path.insert(0, str(ROOT))

from bench.load import run_load  # noqa: E402


def test_eight_clients_mixing_checks_jobs_and_edits_see_no_errors_and_lose_no_edit(live_server: str) -> None:
    report = run_load(live_server, clients=8, duration=8.0)
    summary = report.summary()
    assert summary["errors"] == 0, summary["error_examples"]
    assert summary["lost_edits"] == 0, summary["edits"]["lost_examples"]
    assert summary["edits"]["version_anomalies"] == []
    assert summary["edits"]["audit_missing"] == 0
    assert summary["throttled"] == 0  # no keys, so no rate limit
    # Every kind of traffic ran: checks, a whole analysis job, and each kind of edit.
    assert summary["by_kind"]["check"]["requests"] >= 50
    assert summary["analysis_jobs"]["jobs"] >= 1
    assert summary["by_kind"]["analysis_result"]["requests"] == summary["analysis_jobs"]["jobs"]
    assert sum(summary["edits"]["acknowledged"].values()) >= 5
    assert summary["edits"]["acknowledged"]["add"] >= 3
