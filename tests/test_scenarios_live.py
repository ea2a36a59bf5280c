"""The black-box scenarios of issue 12 items 1-3 (values to the recipient alone, no impersonation, district walls)
on both databases: the shared acceptance runner drives one real `gatekeeper serve` through `--base-url`.

`.ci/run` already runs every scenario on SQLite with a fresh server each; here the ones about who may see what also
run on PostgreSQL (and on SQLite with a shared server, whose ids are prefixed per scenario and whose dates the
runner moves to the real clock)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from app.db.artifacts import DecisionRecord
from tests.factories import PROJECT, SECRET, auth
from tests.live import LiveServer

pytestmark = pytest.mark.slow

RUNNER = PROJECT.parent / "shared" / "acceptance" / "run.py"
SCENARIOS = PROJECT / "tests" / "scenarios"
WHO_SEES_WHAT = ["SC-239", "SC-608", "SC-1401", "SC-1601", "SC-1602", "SC-1701", "SC-1702"]


@pytest.mark.skipif(not RUNNER.exists(), reason="../shared/acceptance is not beside the project")
def test_who_sees_what_scenarios_pass_on_a_live_server(db_url: str, tmp_path: Path) -> None:
    chosen = tmp_path / "scenarios"
    chosen.mkdir()
    for name in ["fixture", *WHO_SEES_WHAT]:
        shutil.copy(SCENARIOS / f"{name}.yaml", chosen)
    # The runner moves the scenarios' dates to the real clock of a shared server: no pinned legal clock here.
    server = LiveServer(db_url, tmp_path, GATEKEEPER_CLOCK_START="")
    base = server.start()
    try:
        assert server.cli("user", "add", "admin", "--role", "admin").returncode == 0
        run = subprocess.run(
            [sys.executable, str(RUNNER), "--base-url", base, "--jwt-secret", SECRET, "--admin-id", "admin",
             "--scenarios", str(chosen)],
            capture_output=True, text=True, timeout=600, check=False)
    finally:
        server.terminate(10)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"{len(WHO_SEES_WHAT)} passed, 0 failed" in run.stdout
    assert "leaks: 0" in run.stdout


EXAMPLES = PROJECT.parent / "shared" / "examples"


@pytest.mark.skipif(not RUNNER.exists(), reason="../shared/acceptance is not beside the project")
def test_every_decision_of_the_scenario_runs_is_reproduced_by_replay(db_url: str, tmp_path: Path) -> None:
    """Issue 13, item 6: the worked examples and every fifth of the project's scenarios (all of them take minutes
    more on each database) run on one server; then every request they left in its database is replayed through the
    API, and each of its decisions must be reproduced exactly."""
    chosen = tmp_path / "scenarios"
    chosen.mkdir()
    project = sorted(p for p in SCENARIOS.glob("*.yaml") if p.name != "fixture.yaml")
    for path in [*EXAMPLES.glob("*.yaml"), *project[::5]]:
        shutil.copy(path, chosen / path.name)
    shutil.copy(SCENARIOS / "fixture.yaml", chosen)
    server = LiveServer(db_url, tmp_path, GATEKEEPER_CLOCK_START="")
    base = server.start()
    try:
        assert server.cli("user", "add", "admin", "--role", "admin").returncode == 0
        subprocess.run(
            [sys.executable, str(RUNNER), "--base-url", base, "--jwt-secret", SECRET, "--admin-id", "admin",
             "--scenarios", str(chosen)],
            capture_output=True, text=True, timeout=900, check=False)
        engine = create_engine(db_url)
        with engine.connect() as conn:
            ids = list(conn.scalars(select(DecisionRecord.request_id).distinct()))
        engine.dispose()
        assert len(ids) > 100
        with httpx.Client(base_url=base, timeout=30, headers=auth("admin")) as client:
            answers = {rid: client.post(f"/api/v1/disclosure-requests/{rid}/replay") for rid in ids}
    finally:
        server.terminate(10)
    failed = {rid: r.text[:300] for rid, r in answers.items() if r.status_code != 200 or not r.json()["reproduced"]}
    assert failed == {}
