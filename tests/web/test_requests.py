"""The principal's queue and request page, the SRO's own requests and request form: the same services, refusals
and audit entries as the API."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import audit_events, auth
from tests.harbor import VALUES, request_body
from tests.web.conftest import csrf_of, post_form, sign_in

FORM = {"student_id": "st-a", "purpose": "LE_RESPONSE", "incident_id": "INC-101",
        "fields": ["name", "photo", "class_schedule", "religion", "counseling_notes"],
        "other_fields": "incident_report:INC-101", "justification": "Follow-up on the cafeteria assault"}


def _submit(client: TestClient) -> str:
    sign_in(client, "sro-1")
    resp: Any = post_form(client, "/requests/new/form", "/requests/new/form", FORM)
    assert resp.status_code == 200, resp.text[:800]
    found = re.search(r'href="/requests/(req_[^"]+)"', resp.text)
    assert found
    assert "Waiting for approval" in resp.text
    return found.group(1)


def test_principal_narrows_and_the_sro_sees_exactly_the_released_fields(pages: TestClient) -> None:
    request_id = _submit(pages)
    api = pages.get(f"/api/v1/disclosure-requests/{request_id}", headers=auth("prin-1")).json()
    pending = [f["field"] for f in api["fields"] if f["outcome"] == "PENDING"]
    assert "class_schedule" in pending and len(pending) >= 2

    sign_in(pages, "prin-1")
    queue = pages.get("/queue")
    assert request_id in queue.text
    page = pages.get(f"/requests/{request_id}")
    assert page.status_code == 200
    assert "Follow-up on the cafeteria assault" not in page.text  # the gate never stores the justification text
    assert "INC-101" in page.text
    # Each field's rules are explained in words (policies/rules.yaml), beside their ids.
    for rule in {r for f in api["fields"] for r in f["rules"]}:
        assert rule in page.text and pages.app.state.policy.rule_titles[rule] in page.text  # type: ignore[attr-defined]
    for value in VALUES.values():
        assert value not in page.text  # the approver sees decisions, never values
    keep = [f for f in pending if f != "class_schedule"]
    resp = pages.post(f"/requests/{request_id}/approve",
                      data={"fields": keep, "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert resp.status_code == 303, resp.text[:800]
    done = pages.get(resp.headers["location"])
    assert "The approval was recorded." in done.text

    decided = pages.get(f"/api/v1/disclosure-requests/{request_id}", headers=auth("prin-1")).json()
    outcomes = {f["field"]: (f["outcome"], f.get("reason")) for f in decided["fields"]}
    assert outcomes["class_schedule"] == ("WITHHOLD", "W_NOT_APPROVED")
    released = [f["field"] for f in decided["fields"] if f["outcome"] == "RELEASE"]
    assert released

    sign_in(pages, "sro-1")
    before = len(audit_events(pages, type="data.read", request_id=request_id))
    mine = pages.get(f"/requests/{request_id}")
    assert mine.status_code == 200
    for name in released:
        assert VALUES[name] in mine.text.replace("&#39;", "'")
    for name, value in VALUES.items():
        if name not in released:
            assert value not in mine.text
    assert len(audit_events(pages, type="data.read", request_id=request_id)) == before + 1
    assert request_id in pages.get("/my/requests").text


def test_a_denial_and_a_refusal_shown_on_the_page(pages: TestClient) -> None:
    request_id = _submit(pages)
    sign_in(pages, "prin-2")  # principal of another school
    page = pages.get(f"/requests/{request_id}")
    assert page.status_code == 403  # the API refuses prin-2 the read too
    assert "text/html" in page.headers["content-type"]

    sign_in(pages, "prin-1")
    page = pages.get(f"/requests/{request_id}")
    resp = pages.post(f"/requests/{request_id}/deny", data={"reason": "not needed", "csrf_token": csrf_of(page.text)},
                      follow_redirects=False)
    assert resp.status_code == 303
    assert "The request was denied." in pages.get(resp.headers["location"]).text
    again = pages.post(f"/requests/{request_id}/deny", data={"csrf_token": csrf_of(page.text)})
    assert again.status_code == 409
    assert "Nothing in this request is pending; there is nothing to deny." in again.text
    rejected = audit_events(pages, type="approval.rejected", request_id=request_id)
    assert rejected and rejected[-1]["actor_id"] == "prin-1"


def test_the_sro_may_not_approve_its_own_request(pages: TestClient) -> None:
    body = request_body(fields=["class_schedule"])
    created = pages.post("/api/v1/disclosure-requests", json=body, headers=auth("sro-1")).json()
    sign_in(pages, "sro-1")
    page = pages.get(f"/requests/{created['id']}")
    assert "Approve the ticked fields" not in page.text
    resp = pages.post(f"/requests/{created['id']}/approve", data={"fields": ["class_schedule"],
                                                                 "csrf_token": csrf_of(page.text)})
    assert resp.status_code == 403 and "cannot approve" in resp.text
    assert audit_events(pages, type="approval.rejected", request_id=created["id"])


def test_a_bad_form_is_a_message_and_asks_nothing(pages: TestClient) -> None:
    sign_in(pages, "sro-1")
    resp: Any = post_form(pages, "/requests/new/form", "/requests/new/form", {"student_id": "st-a",
                                                                              "purpose": "LE_RESPONSE"})
    assert resp.status_code == 422 and "Nothing was asked." in resp.text
    assert not audit_events(pages, type="request.created")


def test_the_queue_is_oldest_first_with_the_time_waited(pages: TestClient) -> None:
    ids = [pages.post("/api/v1/disclosure-requests", json=request_body(fields=["class_schedule"]),
                      headers=auth("sro-1")).json()["id"] for _ in range(3)]
    sign_in(pages, "prin-1")
    text = pages.get("/queue").text
    positions = [text.index(i) for i in ids]
    assert positions == sorted(positions)
    assert " min</td>" in text


def test_approving_a_withheld_field_is_a_409_message_and_changes_nothing(pages: TestClient) -> None:
    created = pages.post("/api/v1/disclosure-requests", json=request_body(fields=["class_schedule", "religion"]),
                         headers=auth("sro-1")).json()
    sign_in(pages, "prin-1")
    page = pages.get(f"/requests/{created['id']}")
    resp = pages.post(f"/requests/{created['id']}/approve", data={"fields": ["religion"],
                                                                 "csrf_token": csrf_of(page.text)})
    assert resp.status_code == 409 and 'role="alert"' in resp.text
    after = pages.get(f"/api/v1/disclosure-requests/{created['id']}", headers=auth("prin-1")).json()
    assert after["decision"] == "PENDING_APPROVAL"
    assert audit_events(pages, type="approval.rejected", request_id=created["id"])
