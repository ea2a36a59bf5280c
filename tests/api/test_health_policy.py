"""Health, readiness and the policy description (API.md sections 1 and 10)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import auth


def test_healthz_and_readyz_need_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["policy_version"].startswith("sha256:")


def test_policy_route(client: TestClient) -> None:
    assert client.get("/api/v1/policy").status_code == 401
    body = client.get("/api/v1/policy", headers=auth("admin")).json()
    assert body["version"] == client.get("/readyz").json()["policy_version"]
    assert "R-GATE-1" in body["rules"] and "R-37L-3" in body["rules"]
    assert "LE_RESPONSE" in body["purposes"]
    assert body["field_tags"]["religion"] == ["RELIGION"]


def test_start_up_is_audited_with_the_policy_version(client: TestClient) -> None:
    events = client.get("/api/v1/audit/events", params={"type": "policy.loaded"}, headers=auth("admin")).json()
    assert events["events"][0]["data"]["policy_version"] == client.get("/readyz").json()["policy_version"]
