"""The gate through HTTP (API.md section 7): a mixed request through approval, the role and conflict cases, and
bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import audit_events, auth
from tests.harbor import VALUES, outcomes, request_body

URL = "/api/v1/disclosure-requests"
APPROVABLE = ["name", "photo", "class_schedule", "incident_report:INC-101"]


def _create(client: TestClient, **over: Any) -> dict[str, Any]:
    resp = client.post(URL, json=request_body(**over), headers=auth("sro-1"))
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_mixed_request_through_approval(harbor: TestClient) -> None:
    created = _create(harbor)
    assert created["decision"] == "PENDING_APPROVAL"
    assert created.get("released", {}) == {}
    got = outcomes(created)
    assert {f for f, (o, _) in got.items() if o == "PENDING"} == set(APPROVABLE)
    assert got["religion"] == ("WITHHOLD", "W_37L")
    assert got["immigration_status"] == ("WITHHOLD", "W_IMMIGRATION_MOU")
    assert got["counseling_notes"] == ("WITHHOLD", "W_PRIVILEGED")
    assert got["grades"] == ("WITHHOLD", "W_NOT_RELEVANT")
    for value in VALUES.values():
        assert value not in str(created)

    queue = harbor.get(URL, params={"status": "PENDING_APPROVAL", "school_id": "hhs"}, headers=auth("prin-1"))
    assert created["id"] in [r["id"] for r in queue.json()["requests"]]

    approved = harbor.post(f"{URL}/{created['id']}/approve", json={"note": "ok"}, headers=auth("prin-1"))
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["decision"] == "ALLOW_REDACTED"
    assert "released" not in body
    assert body["notice"]["version"] == "RN-2024-1"
    assert "INCIDENT_ONLY:INC-101" in body["notice"]["use_restrictions"]
    # The explanation follows the decision (it once kept saying "Decision PENDING_APPROVAL. Waiting for ...").
    assert body["explanation"].startswith("Decision ALLOW_REDACTED. Released name, photo")
    assert "Waiting for" not in body["explanation"]

    mine = harbor.get(f"{URL}/{created['id']}", headers=auth("sro-1")).json()
    assert mine["released"] == {name: VALUES[name] for name in APPROVABLE}
    theirs = harbor.get(f"{URL}/{created['id']}", headers=auth("prin-1")).json()
    assert "released" not in theirs
    types = {e["type"] for e in audit_events(harbor, request_id=created["id"])}
    assert {"request.created", "request.decided", "request.approved", "data.released", "data.read"} <= types

    record = harbor.get("/api/v1/students/st-a/disclosure-record", headers=auth("parent-ana"))
    assert record.status_code == 200
    entry = next(e for e in record.json()["entries"] if e["request_id"] == created["id"])
    assert entry["released_by"]["id"] == "prin-1"
    assert set(entry["fields_released"]) == set(APPROVABLE)
    assert "v-1" not in record.text


def test_approval_conflicts_change_nothing(harbor: TestClient) -> None:
    created = _create(harbor)
    rid = created["id"]
    cases = [
        ("sro-1", {}, 403),                               # the requester approving their own request
        ("prin-2", {}, 403),                              # a principal of another school
        ("t-1", {}, 403),                                 # a teacher's "approval" has no effect
        ("prin-1", {"fields": ["religion"]}, 409),        # a barred field (R-GATE-3)
        ("prin-1", {"fields": ["transcript"]}, 409),      # widening the request (R-APR-3)
    ]
    for user, payload, status in cases:
        resp = harbor.post(f"{URL}/{rid}/approve", json=payload, headers=auth(user))
        assert resp.status_code == status, (user, payload, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    again = harbor.get(f"{URL}/{rid}", headers=auth("sro-1")).json()
    assert again["decision"] == "PENDING_APPROVAL"
    assert len([e for e in audit_events(harbor, request_id=rid) if e["type"] == "approval.rejected"]) >= 4
    assert harbor.post(f"{URL}/nope/approve", json={}, headers=auth("prin-1")).status_code == 404


def test_narrowing_withholds_the_rest_and_nothing_pending_is_409(harbor: TestClient) -> None:
    rid = _create(harbor)["id"]
    resp = harbor.post(f"{URL}/{rid}/approve", json={"fields": ["name"]}, headers=auth("prin-1"))
    assert resp.status_code == 200
    got = outcomes(resp.json())
    assert got["name"][0] == "RELEASE"
    assert got["photo"] == ("WITHHOLD", "W_NOT_APPROVED")
    assert resp.json()["explanation"].startswith("Decision ALLOW_REDACTED. Released name on")
    assert "Withheld photo: W_NOT_APPROVED" in resp.json()["explanation"]
    assert harbor.post(f"{URL}/{rid}/approve", json={}, headers=auth("prin-1")).status_code == 409
    assert harbor.post(f"{URL}/{rid}/deny", json={}, headers=auth("prin-1")).status_code == 409


def test_deny_withholds_every_pending_field(harbor: TestClient) -> None:
    rid = _create(harbor)["id"]
    resp = harbor.post(f"{URL}/{rid}/deny", json={"reason": "not needed"}, headers=auth("prin-1"))
    assert resp.status_code == 200
    assert resp.json()["decision"] == "DENY"
    assert all(o == "WITHHOLD" for o, _ in outcomes(resp.json()).values())
    shown = harbor.get(f"{URL}/{rid}", headers=auth("aud-1")).json()["explanation"]
    assert shown.startswith("Decision DENY.") and "Waiting for" not in shown
    assert "Withheld name: W_NOT_APPROVED" in shown


def test_unknown_student_is_a_plain_deny_without_record(harbor: TestClient) -> None:
    created = _create(harbor, student_id="st-nobody")
    assert created["decision"] == "DENY"
    assert {r for _, r in outcomes(created).values()} == {"W_NO_BASIS"}


def test_preview_releases_and_stores_nothing(harbor: TestClient) -> None:
    resp = harbor.post("/api/v1/decisions/preview", json=request_body(), headers=auth("sro-1"))
    assert resp.status_code in (200, 201)
    assert "released" not in resp.json()
    assert harbor.get(f"{URL}/{resp.json()['id']}", headers=auth("sro-1")).status_code == 404


def test_auth_and_role_errors(harbor: TestClient) -> None:
    assert harbor.post(URL, json=request_body()).status_code == 401
    assert harbor.post(URL, json=request_body(), headers=auth("parent-ana")).status_code == 403
    rid = _create(harbor)["id"]
    assert harbor.get(f"{URL}/{rid}", headers=auth("det-1")).status_code == 403
    assert harbor.get(f"{URL}/{rid}", headers=auth("parent-ana")).status_code == 403


@pytest.mark.parametrize("over", [
    {"purpose": "SNOOPING"}, {"channel": "fax"}, {"identified_by": "rumour"}, {"destination": "MOON"},
    {"fields": []}, {"fields": [f"f{i}" for i in range(501)]}, {"fields": "name"}, {"student_id": 7},
    {"justification": "x" * 10_001},
])
def test_bad_requests_are_422_and_store_nothing(harbor: TestClient, over: dict[str, Any]) -> None:
    before = len(audit_events(harbor, type="request.created"))
    resp = harbor.post(URL, json=request_body(**over), headers=auth("sro-1"))
    assert resp.status_code == 422, resp.text
    assert len(audit_events(harbor, type="request.created")) == before
