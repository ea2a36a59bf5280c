"""Who receives values (API.md section 7): the recipient, or the district staff member who pushed or entered the
request; and who may name another requester: district staff only."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.db.artifacts import DisclosureRequest
from tests.factories import audit_events, auth
from tests.harbor import VALUES

URL = "/api/v1/disclosure-requests"
# Directory fields go to an outside officer at once (R-DIR-*), so these requests settle without an approval.
DIRECTORY = {"student_id": "st-a", "purpose": "LE_RESPONSE", "fields": ["name", "grade_level"]}


def _post(client: TestClient, caller: str, **over: Any) -> dict[str, Any]:
    resp = client.post(URL, json={**DIRECTORY, **over}, headers=auth(caller))
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _request_count(client: TestClient) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(DisclosureRequest)) or 0)


def _consent_for_det(client: TestClient) -> str:
    """The parents' consent to a diversion detective: an exact-match consent disclosure, released at once."""
    resp = client.post("/api/v1/students/st-a/consents", headers=auth("prin-1"), json={
        "signed_by": "parent-ana", "signer_relationship": "parent", "signed_on": "2025-03-03", "written": True,
        "authenticated": True, "informed": True, "language": "en", "fields": ["attendance_detail", "grades"],
        "purpose": "DIVERSION", "recipients": ["det-1"], "expires_on": "2025-06-30"})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_a_police_forward_releases_to_the_recipient_alone(harbor: TestClient) -> None:
    """R-USE-4: the SRO asks the district to disclose to the detective; the detective alone gets the values."""
    created = _post(harbor, "sro-1", recipient="det-1", purpose="DIVERSION", consent_id=_consent_for_det(harbor),
                    fields=["attendance_detail", "grades"])
    assert created["decision"] == "ALLOW" and created["recipient"] == "det-1"
    assert "released" not in created
    assert VALUES["grades"] not in str(created)

    as_requester = harbor.get(f"{URL}/{created['id']}", headers=auth("sro-1"))
    assert as_requester.status_code == 200 and "released" not in as_requester.json()

    as_recipient = harbor.get(f"{URL}/{created['id']}", headers=auth("det-1"))
    assert as_recipient.status_code == 200
    assert as_recipient.json()["released"] == {"attendance_detail": VALUES["attendance_detail"],
                                               "grades": VALUES["grades"]}

    reads = [e for e in audit_events(harbor, request_id=created["id"]) if e["type"] == "data.read"]
    assert [e["actor_id"] for e in reads] == ["det-1"]


def test_the_recipient_asking_gets_the_values(harbor: TestClient) -> None:
    created = _post(harbor, "det-1")
    assert created["released"] == {"name": VALUES["name"], "grade_level": VALUES["grade_level"]}


def test_district_staff_who_push_or_enter_get_the_values(harbor: TestClient) -> None:
    pushed = _post(harbor, "prin-1", recipient="det-1")
    assert pushed["requester"] == "prin-1" and pushed["released"]["name"] == VALUES["name"]

    entered = _post(harbor, "t-1", requester="det-1", channel="phone")
    assert entered["requester"] == "det-1" and entered["recipient"] == "det-1"
    assert entered["released"]["name"] == VALUES["name"]
    again = harbor.get(f"{URL}/{entered['id']}", headers=auth("t-1"))
    assert again.status_code == 200 and again.json()["released"]["name"] == VALUES["name"]


def test_only_district_staff_may_name_another_requester(harbor: TestClient) -> None:
    before = _request_count(harbor)
    for caller, requester in (("det-1", "sro-1"), ("sro-1", "prin-1"), ("det-1", "prin-1")):
        resp = harbor.post(URL, json={**DIRECTORY, "requester": requester}, headers=auth(caller))
        assert resp.status_code == 403, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert VALUES["name"] not in resp.text
    assert _request_count(harbor) == before
    forbidden = [e for e in audit_events(harbor, type="access.forbidden") if e["data"].get("why") == "requester"]
    assert sorted(e["actor_id"] for e in forbidden) == ["det-1", "det-1", "sro-1"]

    preview = harbor.post("/api/v1/decisions/preview", json={**DIRECTORY, "requester": "sro-1"},
                          headers=auth("det-1"))
    assert preview.status_code == 403

    # Naming oneself is no impersonation.
    assert _post(harbor, "det-1", requester="det-1")["released"]["name"] == VALUES["name"]


def test_a_signed_push_explains_its_release(harbor: TestClient) -> None:
    """R-APR-4: the principal's push is the signature; the explanation says what was released, not "waiting"."""
    pushed = _post(harbor, "prin-1", recipient="sro-1", incident_id="INC-101", fields=["class_schedule"])
    assert pushed["decision"] == "ALLOW" and pushed["released"] == {"class_schedule": VALUES["class_schedule"]}
    assert pushed["explanation"].startswith("Decision ALLOW. Released class_schedule on")
    assert "Waiting for" not in pushed["explanation"]
