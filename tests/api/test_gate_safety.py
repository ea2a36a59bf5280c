"""No audit entry, no data (R-AUD-1); no student value in any log line or audit row (R-AUD-4)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.audit import repository as audit_repository
from app.db.artifacts import DisclosureRequest
from tests.factories import auth
from tests.harbor import VALUES, request_body

URL = "/api/v1/disclosure-requests"


def _count_requests(client: TestClient) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(DisclosureRequest)) or 0)


def test_failed_audit_append_releases_nothing_and_keeps_nothing(harbor: TestClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real_insert = audit_repository.insert_entries

    def failing_insert(session: Any, rows: list[dict[str, Any]]) -> None:
        if any('"type":"data.released"' in row["body"] for row in rows):
            raise RuntimeError("audit store unavailable")
        real_insert(session, rows)

    monkeypatch.setattr(audit_repository, "insert_entries", failing_insert)
    # A directory-only request by an outside officer is released at once, so the release path runs.
    body = {"student_id": "st-a", "purpose": "LE_RESPONSE", "fields": ["name", "grade_level"]}
    resp = harbor.post(URL, json=body, headers=auth("det-1"))
    assert resp.status_code == 500
    assert resp.headers["content-type"].startswith("application/problem+json")
    for value in VALUES.values():
        assert value not in resp.text
    assert _count_requests(harbor) == 0
    monkeypatch.undo()
    events = harbor.get("/api/v1/audit/events", params={"type": "request.failed"}, headers=auth("aud-1"))
    assert len(events.json()["events"]) == 1
    assert harbor.get("/api/v1/audit/events", params={"type": "request.created"},
                      headers=auth("aud-1")).json()["events"] == []
    ok = harbor.post(URL, json=body, headers=auth("det-1"))
    assert ok.status_code == 201 and ok.json()["released"] == {"name": VALUES["name"],
                                                               "grade_level": VALUES["grade_level"]}


def test_no_value_reaches_logs_or_audit_rows(harbor: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    created = harbor.post(URL, json=request_body(), headers=auth("sro-1")).json()
    harbor.post(f"{URL}/{created['id']}/approve", json={}, headers=auth("prin-1"))
    assert harbor.get(f"{URL}/{created['id']}", headers=auth("sro-1")).json()["released"]
    harbor.post(URL, json={"student_id": "st-a", "purpose": "LE_RESPONSE", "fields": ["name", "grade_level"]},
                headers=auth("det-1"))
    harbor.get("/api/v1/students/st-a/disclosure-record", headers=auth("parent-ana"))
    harbor.get("/api/v1/audit/export", params={"format": "jsonl"}, headers=auth("aud-1"))
    with harbor.app.state.session_factory() as session:  # type: ignore[attr-defined]
        rows = session.execute(text("SELECT * FROM audit_entries")).all()
        requests = session.execute(text("SELECT * FROM disclosure_requests")).all()
    audit_text = "\n".join(str(tuple(r)) for r in rows)
    stored_text = "\n".join(str(tuple(r)) for r in requests)
    assert len(rows) > 10
    for value in VALUES.values():
        assert value not in audit_text
        assert value not in stored_text
        assert value not in caplog.text


def test_an_unknown_recipient_decides_nothing(harbor: TestClient) -> None:
    """R-GATE-1: data never goes to a party the service does not know, whoever asks for it."""
    for caller in ("prin-1", "sro-1"):
        resp = harbor.post(URL, json=request_body(fields=["name", "class_schedule"], recipient="officer-unknown-88"),
                           headers=auth(caller))
        assert resp.status_code == 201, resp.text
        assert resp.json()["decision"] == "DENY"
        # The principal pushing gets the (empty) values; the SRO is not the recipient and gets none (API.md 7).
        assert resp.json().get("released") == ({} if caller == "prin-1" else None)


def test_an_approval_releases_only_what_is_still_lawful(harbor: TestClient) -> None:
    """A consent revoked while its request waited for approval: the approval withholds that field (R-CON-5)."""
    consent = harbor.post("/api/v1/students/st-a/consents", headers=auth("parent-ana"), json={
        "signed_by": "parent-ana", "signer_relationship": "parent", "signed_on": "2025-03-01", "written": True,
        "authenticated": True, "language": "en", "fields": ["grades"], "purpose": "LE_RESPONSE",
        "recipients": ["sro-1"], "expires_on": "2025-06-30"}).json()
    created = harbor.post(URL, headers=auth("sro-1"), json=request_body(
        fields=["class_schedule", "grades"], consent_id=consent["id"])).json()
    assert created["decision"] == "PENDING_APPROVAL", created
    revoked = harbor.post(f"/api/v1/consents/{consent['id']}/revoke", json={}, headers=auth("parent-ana"))
    assert revoked.status_code == 200, revoked.text
    approved = harbor.post(f"{URL}/{created['id']}/approve", json={}, headers=auth("prin-1")).json()
    by_field = {f["field"]: f for f in approved["fields"]}
    assert by_field["class_schedule"]["outcome"] == "RELEASE"
    assert by_field["grades"]["outcome"] == "WITHHOLD" and "W_CONSENT_INVALID" in by_field["grades"]["reasons"]
    read = harbor.get(f"{URL}/{created['id']}", headers=auth("sro-1")).json()
    assert set(read["released"]) == {"class_schedule"}
