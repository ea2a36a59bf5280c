"""The district wall on the audit log (API.md section 9): a district's auditor and admin read only the entries about
their district, in events, export and checkpoints; entries of no district are the platform's; the platform admin
(no district) reads everything; the chain still verifies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import audit_events, auth
from tests.harbor import VALUES
from tests.walls import D2_VALUES, harbor_artifacts, load_dover

API = "/api/v1/audit"


@pytest.fixture
def walls(harbor: TestClient) -> Iterator[TestClient]:
    load_dover(harbor)
    harbor_artifacts(harbor)
    # Dover's own activity: its principal reads its student's record, its admin loads a field.
    assert harbor.get("/api/v1/students/st-z/disclosure-record", headers=auth("aud-2")).status_code == 200
    assert harbor.put("/api/v1/students/st-z", headers=auth("adm-2"), json={
        "school_id": "dhs", "date_of_birth": "2009-05-01", "fields": D2_VALUES}).status_code == 200
    yield harbor


def district_of(event: dict[str, Any]) -> str | None:
    return event.get("district_id")


def test_a_district_reads_only_its_own_events(walls: TestClient) -> None:
    client = walls
    everything = audit_events(client, "admin")
    by_district = {d: [e for e in everything if district_of(e) == d] for d in ("hrps", "d2", None)}
    assert by_district["hrps"] and by_district["d2"] and by_district[None]
    assert {e["type"] for e in by_district[None]} >= {"policy.loaded"}
    # Harbor's student, Harbor's request and Harbor's people are Harbor's; Dover's are Dover's.
    assert {e["student_id"] for e in everything if e["student_id"]} == {"st-a", "v-1", "st-z"}
    for event in everything:
        if event["student_id"] in ("st-a", "v-1") or event["actor_id"] in ("prin-1", "sro-1", "aud-1"):
            assert district_of(event) == "hrps", event
        if event["student_id"] == "st-z" or event["actor_id"] in ("adm-2", "aud-2", "prin-d2"):
            assert district_of(event) == "d2", event
    for who, district in (("aud-2", "d2"), ("adm-2", "d2"), ("aud-1", "hrps")):
        seen = audit_events(client, who)
        assert seen and all(district_of(e) == district for e in seen)
        # Exactly the district's entries the platform admin saw, plus those written since (its own reads).
        before = {e["seq"] for e in seen if e["seq"] <= everything[-1]["seq"]}
        assert before == {e["seq"] for e in by_district[district]}
    assert audit_events(client, "aud-2", student_id="st-a") == []
    assert audit_events(client, "aud-2", type="request.decided") == []
    assert audit_events(client, "aud-2", actor_id="prin-1") == []
    assert len(audit_events(client, "aud-1", student_id="st-a")) == len(
        [e for e in everything if e["student_id"] == "st-a"])


def test_the_export_is_walled_too(walls: TestClient) -> None:
    client = walls

    def export(by: str, fmt: str = "jsonl") -> str:
        resp = client.get(f"{API}/export", params={"format": fmt}, headers=auth(by))
        assert resp.status_code == 200, resp.text
        return resp.text

    dover = [json.loads(line) for line in export("aud-2").splitlines()]
    assert dover and {district_of(e) for e in dover} == {"d2"}
    assert "st-a" not in export("aud-2") and "st-a" not in export("aud-2", "csv")
    harbor_lines = [json.loads(line) for line in export("aud-1").splitlines()]
    assert {district_of(e) for e in harbor_lines} == {"hrps"} and "st-z" not in export("aud-1", "csv")
    everything = [json.loads(line) for line in export("admin").splitlines()]
    assert {district_of(e) for e in everything} == {"hrps", "d2", None}
    for text in (export("admin"), export("aud-1"), export("aud-2"), export("admin", "csv")):
        assert not [v for v in (*VALUES.values(), *D2_VALUES.values()) if v in text]


def test_checkpoints_are_listed_to_the_district_that_signed_them(walls: TestClient) -> None:
    client = walls

    def listed(by: str) -> list[int]:
        resp = client.get(f"{API}/checkpoints", headers=auth(by))
        assert resp.status_code == 200, resp.text
        return [c["seq"] for c in resp.json()["checkpoints"]]

    dover = client.post(f"{API}/checkpoints", headers=auth("adm-2"))
    platform = client.post(f"{API}/checkpoints", headers=auth("admin"))
    assert dover.status_code == platform.status_code == 201
    assert listed("aud-2") == listed("adm-2") == [dover.json()["seq"]]
    assert listed("aud-1") == listed("adm-1") == []
    assert listed("admin") == [platform.json()["seq"], dover.json()["seq"]]
    signed = audit_events(client, "aud-2", type="audit.checkpointed")
    assert [e["data"]["checkpoint_seq"] for e in signed] == [dover.json()["seq"]]
    # One chain for every district, and it verifies with every entry stamped.
    verified = client.get(f"{API}/verify", headers=auth("aud-2")).json()
    assert verified["ok"] is True and verified["checkpoint_seq"] == platform.json()["seq"]


def test_entries_of_no_district_are_the_only_districts_or_the_platforms(harbor: TestClient) -> None:
    """With one district, a failed login (no caller to name a district) is that district's: its auditor reads it.
    With two, it could concern either, so only the platform admin reads it."""
    client = harbor
    assert client.get("/api/v1/policy", headers={"Authorization": "Bearer garbage"}).status_code == 401
    assert [e["type"] for e in audit_events(client, "aud-1", type="auth.failed")] == ["auth.failed"]
    load_dover(client)
    assert client.get("/api/v1/policy", headers={"Authorization": "Bearer garbage"}).status_code == 401
    assert len(audit_events(client, "admin", type="auth.failed")) == 2
    assert len(audit_events(client, "aud-1", type="auth.failed")) == 1
    assert audit_events(client, "aud-2", type="auth.failed") == []
    # policy.loaded came before any district: the platform's alone.
    assert audit_events(client, "aud-1", type="policy.loaded") == []
    assert [e["type"] for e in audit_events(client, "admin", type="policy.loaded")] == ["policy.loaded"]
