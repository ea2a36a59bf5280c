"""The record of disclosures (API.md section 8): who may read it, what a parent sees, the consent copy."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import auth
from tests.harbor import VALUES, request_body

RECORD = "/api/v1/students/st-a/disclosure-record"


def test_who_may_read(harbor: TestClient) -> None:
    harbor.post("/api/v1/disclosure-requests", json=request_body(), headers=auth("sro-1"))
    assert harbor.get(RECORD, headers=auth("parent-ana")).status_code == 200
    assert harbor.get(RECORD, headers=auth("aud-1")).status_code == 200
    assert harbor.get(RECORD, headers=auth("prin-1")).status_code == 200
    for outsider in ("sro-1", "det-1", "t-1", "prin-2"):
        resp = harbor.get(RECORD, headers=auth(outsider))
        assert resp.status_code == 403, outsider
        assert resp.headers["content-type"].startswith("application/problem+json")
    forbidden = harbor.get("/api/v1/audit/events", params={"type": "access.forbidden"}, headers=auth("aud-1"))
    assert len(forbidden.json()["events"]) >= 4
    assert harbor.get("/api/v1/students/nobody/disclosure-record", headers=auth("aud-1")).status_code == 404


def test_denied_requests_appear_and_reads_are_audited_not_entries(harbor: TestClient) -> None:
    denied = harbor.post("/api/v1/disclosure-requests", headers=auth("sro-1"),
                         json=request_body(fields=["religion"])).json()
    assert denied["decision"] == "DENY"
    first = harbor.get(RECORD, headers=auth("parent-ana")).json()["entries"]
    second = harbor.get(RECORD, headers=auth("parent-ana")).json()["entries"]
    assert [e["request_id"] for e in first] == [denied["id"]] == [e["request_id"] for e in second]
    assert first[0]["fields_withheld"][0]["reason"] == "W_37L"
    viewed = harbor.get("/api/v1/audit/events", params={"type": "record.viewed"}, headers=auth("aud-1"))
    assert len(viewed.json()["events"]) == 2


def test_record_holds_no_values(harbor: TestClient) -> None:
    created = harbor.post("/api/v1/disclosure-requests", json=request_body(), headers=auth("sro-1")).json()
    harbor.post(f"/api/v1/disclosure-requests/{created['id']}/approve", json={}, headers=auth("prin-1"))
    text = harbor.get(RECORD, headers=auth("parent-ana")).text
    for value in VALUES.values():
        assert value not in text


def test_consent_copy(harbor: TestClient) -> None:
    consent = harbor.post("/api/v1/students/st-a/consents", headers=auth("parent-ana"), json={
        "signed_by": "parent-ana", "signer_relationship": "parent", "signed_on": "2025-03-01", "written": True,
        "authenticated": True, "language": "en", "fields": ["grades"], "purpose": "DIVERSION",
        "recipients": ["sro-1"], "expires_on": "2025-06-30"})
    assert consent.status_code == 201, consent.text
    assert consent.json()["valid"] is True
    req = harbor.post("/api/v1/disclosure-requests", headers=auth("sro-1"), json={
        "student_id": "st-a", "purpose": "DIVERSION", "consent_id": consent.json()["id"], "fields": ["grades"]})
    assert req.json()["decision"] == "ALLOW", req.text
    copy = harbor.get(f"{RECORD}/{req.json()['id']}/copy", headers=auth("parent-ana"))
    assert copy.status_code == 200
    assert copy.json()["released"] == {"grades": VALUES["grades"]}
    assert harbor.get(f"{RECORD}/{req.json()['id']}/copy", headers=auth("sro-1")).status_code == 403
