"""The benchmark baselines (benchmarks/gate.py): mounted only in development, and the baseline does the gate's work
minus the decision, so the gate/baseline ratio measures the decision and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.factories import auth, bootstrap_admin, make_settings
from tests.harbor import load_harbor, outcomes, request_body


@pytest.fixture
def dev_harbor(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, tmp_path, env="development"))
    with TestClient(app, raise_server_exceptions=False) as c:
        bootstrap_admin(c)
        load_harbor(c)
        yield c


def _events(client: TestClient, request_id: str) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/audit/events", params={"request_id": request_id}, headers=auth("aud-1"))
    assert resp.status_code == 200, resp.text
    return list(resp.json()["events"])


def test_baseline_writes_what_the_gate_writes(dev_harbor: TestClient) -> None:
    # A principal's request for their own school releases part and withholds the section 37L field.
    body = request_body(fields=["name", "grade_level", "religion"])
    gate = dev_harbor.post("/api/v1/disclosure-requests", json=body, headers=auth("prin-1"))
    base = dev_harbor.post("/_bench/baseline", json=body, headers=auth("prin-1"))
    assert gate.status_code == base.status_code == 201, (gate.text, base.text)
    assert base.json()["id"] != gate.json()["id"]
    assert gate.json()["decision"] == "ALLOW_REDACTED" and set(gate.json()["released"]) == {"name", "grade_level"}
    assert base.json()["decision"] == gate.json()["decision"]
    assert outcomes(base.json()) == outcomes(gate.json())
    assert base.json().get("released") == gate.json().get("released")
    gate_events, base_events = _events(dev_harbor, gate.json()["id"]), _events(dev_harbor, base.json()["id"])
    assert [(e["type"], sorted(e["data"])) for e in base_events] == [
        (e["type"], sorted(e["data"])) for e in gate_events]
    stored = dev_harbor.get(f"/api/v1/disclosure-requests/{base.json()['id']}", headers=auth("aud-1"))
    assert stored.status_code == 200 and outcomes(stored.json()) == outcomes(gate.json())
    # A second call reuses the cached decision and still writes a new request.
    again = dev_harbor.post("/_bench/baseline", json=body, headers=auth("prin-1"))
    assert again.status_code == 201 and again.json()["id"] != base.json()["id"]


def test_bare_reads_and_audits_one_entry(dev_harbor: TestClient) -> None:
    resp = dev_harbor.post("/_bench/bare", json=request_body(fields=["name"]), headers=auth("sro-1"))
    assert resp.status_code == 200, resp.text
    assert set(resp.json()["released"]) == {"name"}
    assert isinstance(resp.json()["audit"]["seq"], int)


def test_baselines_are_not_mounted_outside_development(harbor: TestClient) -> None:
    for path in ("/_bench/baseline", "/_bench/bare"):
        assert harbor.post(path, json=request_body(), headers=auth("sro-1")).status_code == 404
