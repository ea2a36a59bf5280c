"""The district wall (ARCHITECTURE.md house rule 12): a user of Dover (d2) sees and changes nothing of Harbor (hrps);
another district's object answers exactly like a missing one (same status, same body) and nothing changes; Harbor's
own users still work; the platform admin, who has no district, sees and writes both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import auth
from tests.harbor import HARBOR_DISTRICT, request_body
from tests.walls import CONSENT, EMERGENCY, ORDER, harbor_artifacts, load_dover

API = "/api/v1"


@pytest.fixture
def walls(harbor: TestClient) -> Iterator[tuple[TestClient, dict[str, str]]]:
    load_dover(harbor)
    yield harbor, harbor_artifacts(harbor)


def same_answer(behind: Response, missing: Response, status: int) -> None:
    """Behind the wall and missing look alike: same status, same problem body (no id, no value in either)."""
    assert behind.status_code == missing.status_code == status, (behind.text, missing.text)
    assert behind.json() == missing.json()
    assert behind.headers["content-type"] == missing.headers["content-type"] == "application/problem+json"


def admin_view(client: TestClient, path: str) -> dict[str, Any]:
    resp = client.get(path, headers=auth("admin"))
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_a_district_admin_cannot_rewrite_or_create_another_district(walls: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = walls
    h = auth("adm-2")
    rewrite = {**HARBOR_DISTRICT, "name": "Taken over"}
    same_answer(client.put(f"{API}/districts/hrps", json=rewrite, headers=h),
                client.put(f"{API}/districts/nowhere", json=rewrite, headers=h), 404)
    # A body that fails validation is the same 422 either way.
    same_answer(client.put(f"{API}/districts/hrps", json={"name": ""}, headers=h),
                client.put(f"{API}/districts/nowhere", json={"name": ""}, headers=h), 422)
    # Nothing was written: the platform admin (no district) sees no new district and no rename in the log.
    assert client.put(f"{API}/districts/nowhere", json=rewrite, headers=auth("admin")).status_code == 201
    events = client.get(f"{API}/audit/events", params={"type": "config.changed"}, headers=auth("admin")).json()
    assert [e for e in events["events"] if e["data"].get("entity") == "district" and e["actor_id"] == "adm-2"] == []
    # Each admin still configures its own district; the platform admin either.
    assert client.put(f"{API}/districts/d2", json={**HARBOR_DISTRICT, "name": "Dover"}, headers=h).status_code == 200
    assert client.put(f"{API}/districts/hrps", json=HARBOR_DISTRICT, headers=auth("adm-1")).status_code == 200
    assert client.put(f"{API}/districts/hrps", json=HARBOR_DISTRICT, headers=auth("admin")).status_code == 200


def test_schools_users_students_and_incidents_stay_in_their_district(
        walls: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = walls
    h = auth("adm-2")
    school = {"name": "Moved", "grades": ["9"]}
    # Into another district: the 422 of an unknown district or school.
    same_answer(client.put(f"{API}/schools/new-s", json={**school, "district_id": "hrps"}, headers=h),
                client.put(f"{API}/schools/new-s", json={**school, "district_id": "nowhere"}, headers=h), 422)
    user = {"name": "Mole", "role": "principal", "school_ids": ["hhs"]}
    same_answer(client.put(f"{API}/users/new-u", json={**user, "district_id": "hrps"}, headers=h),
                client.put(f"{API}/users/new-u", json={**user, "district_id": "nowhere"}, headers=h), 422)
    student = {"date_of_birth": "2010-01-01", "fields": {"name": "Synthetic Mole Name"}}
    same_answer(client.put(f"{API}/students/new-st", json={**student, "school_id": "hhs"}, headers=h),
                client.put(f"{API}/students/new-st", json={**student, "school_id": "nowhere"}, headers=h), 422)
    incident = {"occurred_at": "2025-03-07T12:10:00-05:00", "classification": "CODE_OF_CONDUCT"}
    same_answer(client.put(f"{API}/incidents/INC-X", json={**incident, "school_id": "hhs"}, headers=h),
                client.put(f"{API}/incidents/INC-X", json={**incident, "school_id": "nowhere"}, headers=h), 422)
    # Another district's ids can be neither taken over nor rewritten (nor can the platform's own accounts).
    assert client.put(f"{API}/schools/hhs", json={**school, "district_id": "d2"}, headers=h).status_code == 404
    for uid in ("sro-1", "admin"):
        resp = client.put(f"{API}/users/{uid}", json={**user, "district_id": "d2"}, headers=h)
        assert resp.status_code == 404 and resp.json()["detail"] == "No such user."
    assert client.put(f"{API}/students/st-a", json={**student, "school_id": "dhs"}, headers=h).status_code == 404
    assert client.put(f"{API}/incidents/INC-101", json={**incident, "school_id": "dhs"}, headers=h).status_code == 404
    # Nothing changed.
    assert admin_view(client, f"{API}/students/st-a")["district_id"] == "hrps"
    assert admin_view(client, f"{API}/students/st-a")["fields"]["name"] == "Jordan Alves-Synthetic"
    assert client.get(f"{API}/students/new-st", headers=auth("admin")).status_code == 404
    assert client.get(f"{API}/disclosure-requests/x", headers=auth("sro-1")).status_code == 404  # sro-1 still works
    # A Dover admin's users are Dover's even when the body names no district; it makes no user of no district.
    made = client.put(f"{API}/users/t-2", json={"name": "Dover teacher", "role": "staff"}, headers=h)
    assert made.status_code == 201 and made.json()["district_id"] == "d2"
    # The platform admin places users anywhere, and an update that names no district keeps the user's district.
    assert client.put(f"{API}/users/t-2", json={"name": "Dover teacher", "role": "staff"},
                      headers=auth("admin")).json()["district_id"] == "d2"
    orphan = client.put(f"{API}/users/u-3", json={"name": "No district", "role": "sro"}, headers=auth("admin"))
    assert orphan.status_code == 422  # with two districts, only an admin or auditor may have none (sees all)
    assert client.put(f"{API}/users/state-aud", json={"name": "State auditor", "role": "auditor"},
                      headers=auth("admin")).json()["district_id"] is None


def test_a_district_admin_reads_no_other_district_record(walls: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = walls
    same_answer(client.get(f"{API}/students/st-a", headers=auth("adm-2")),
                client.get(f"{API}/students/nobody", headers=auth("adm-2")), 404)
    assert client.get(f"{API}/students/st-z", headers=auth("adm-2")).status_code == 200
    assert client.get(f"{API}/students/st-z", headers=auth("adm-1")).status_code == 404
    assert client.get(f"{API}/students/st-a", headers=auth("adm-1")).status_code == 200
    assert {admin_view(client, f"{API}/students/{s}")["district_id"] for s in ("st-a", "st-z")} == {"hrps", "d2"}


def test_artifacts_of_another_district_answer_like_missing_ones(walls: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = walls
    adm, prin, cns = auth("adm-2"), auth("prin-d2"), auth("cns-2")

    def both(method: str, behind: str, missing: str, by: dict[str, str], status: int, **kw: Any) -> None:
        same_answer(client.request(method, behind, headers=by, **kw),
                    client.request(method, missing, headers=by, **kw), status)

    both("POST", f"{API}/students/st-a/consents", f"{API}/students/nobody/consents", adm, 404, json=CONSENT)
    both("GET", f"{API}/students/st-a/consents", f"{API}/students/nobody/consents", adm, 404)
    both("POST", f"{API}/consents/{ids['consent']}/revoke", f"{API}/consents/nope/revoke", adm, 404, json={})
    for action, body in (("end", None), ("renew", {k: EMERGENCY[k] for k in (
            "threat", "significance", "imminence", "persons_at_risk")}), ("recipients", {"recipients": ["prin-d2"]})):
        both("POST", f"{API}/emergencies/{ids['emergency']}/{action}", f"{API}/emergencies/nope/{action}", prin, 404,
             json=body)
    same_answer(client.post(f"{API}/emergencies", json=EMERGENCY, headers=prin),
                client.post(f"{API}/emergencies", json={**EMERGENCY, "school_id": "nowhere"}, headers=prin), 403)
    both("POST", f"{API}/legal-orders/{ids['order']}/validate", f"{API}/legal-orders/nope/validate", cns, 404, json={})
    both("POST", f"{API}/legal-orders/{ids['order']}/reject", f"{API}/legal-orders/nope/reject", cns, 404, json={})
    notice = {"sent_at": "2025-03-10T09:00:00-05:00", "method": "mail", "notified": ["parent-ana"]}
    both("POST", f"{API}/legal-orders/{ids['order']}/parent-notice", f"{API}/legal-orders/nope/parent-notice", adm,
         404, json=notice)
    same_answer(client.post(f"{API}/legal-orders", json=ORDER, headers=adm),
                client.post(f"{API}/legal-orders", json={**ORDER, "student_id": "nobody"}, headers=adm), 404)
    report = {"kind": "REPORT_51A", "student_id": "st-a", "filed_by": "adm-2", "fields": ["name"]}
    same_answer(client.post(f"{API}/reports", json=report, headers=adm),
                client.post(f"{API}/reports", json={**report, "student_id": "nobody"}, headers=adm), 404)
    # A Dover report may name neither a Harbor filer nor a Harbor incident: both are unknown, like missing ones.
    germane = {"kind": "GERMANE_FINDING", "student_id": "st-z", "filed_by": "prin-d2", "incident_id": "INC-101",
               "duty": "REPORT_51A", "justifications": {"name": "why"}}
    same_answer(client.post(f"{API}/reports", json=germane, headers=adm),
                client.post(f"{API}/reports", json={**germane, "incident_id": "INC-NONE"}, headers=adm), 422)
    same_answer(client.post(f"{API}/reports", json={**report, "student_id": "st-z", "filed_by": "prin-1"},
                            headers=adm),
                client.post(f"{API}/reports", json={**report, "student_id": "st-z", "filed_by": "nobody"},
                            headers=adm), 422)
    # Nothing changed: Harbor's consent, emergency and order are as Harbor left them.
    consents = client.get(f"{API}/students/st-a/consents", headers=auth("prin-1")).json()["consents"]
    assert [(c["id"], c["revoked_at"]) for c in consents] == [(ids["consent"], None)]
    ended = client.post(f"{API}/emergencies/{ids['emergency']}/end", headers=auth("prin-1"))
    assert ended.status_code == 200 and ended.json()["recipients"] == ["sro-1"]
    validated = client.post(f"{API}/legal-orders/{ids['order']}/validate", json={}, headers=auth("prin-1"))
    assert validated.status_code == 200 and validated.json()["parent_notice"] is None


def test_requests_and_records_of_another_district_answer_like_missing_ones(
        walls: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = walls
    rid = ids["request"]
    for who in ("adm-2", "aud-2", "prin-d2"):
        h = auth(who)
        same_answer(client.get(f"{API}/disclosure-requests/{rid}", headers=h),
                    client.get(f"{API}/disclosure-requests/req_nope", headers=h), 404)
        queue = client.get(f"{API}/disclosure-requests", headers=h)
        assert queue.status_code == 200 and queue.json()["requests"] == []
    for action, body in (("approve", {}), ("deny", {"reason": "x"})):
        same_answer(client.post(f"{API}/disclosure-requests/{rid}/{action}", json=body, headers=auth("prin-d2")),
                    client.post(f"{API}/disclosure-requests/req_nope/{action}", json=body, headers=auth("prin-d2")),
                    404)
    for who, status in (("aud-2", 404), ("adm-2", 404), ("prin-d2", 403)):
        same_answer(client.get(f"{API}/students/st-a/disclosure-record", headers=auth(who)),
                    client.get(f"{API}/students/nobody/disclosure-record", headers=auth(who)), status)
        same_answer(client.get(f"{API}/students/st-a/disclosure-record/{rid}/copy", headers=auth(who)),
                    client.get(f"{API}/students/nobody/disclosure-record/{rid}/copy", headers=auth(who)), status)
    # The request is still pending, approvable by Harbor's principal; Harbor's and the platform's readers see it.
    assert client.get(f"{API}/disclosure-requests/{rid}", headers=auth("aud-1")).json()["decision"] == \
        "PENDING_APPROVAL"
    assert rid in {r["id"] for r in client.get(f"{API}/disclosure-requests", headers=auth("admin")).json()["requests"]}
    assert client.post(f"{API}/disclosure-requests/{rid}/approve", json={}, headers=auth("prin-1")).status_code == 200
    record = client.get(f"{API}/students/st-a/disclosure-record", headers=auth("admin")).json()
    assert [e["request_id"] for e in record["entries"]] == [rid]


def test_a_dover_request_cannot_lean_on_harbor(walls: tuple[TestClient, dict[str, str]]) -> None:
    """A Harbor student, request (reuse_of) or person (recipient) named by a Dover caller is a missing one."""
    client, ids = walls
    h = auth("prin-d2")

    def decided(**over: Any) -> list[tuple[str, str | None]]:
        body = request_body(student_id="st-z", purpose="LE_RESPONSE", fields=["name", "religion"],
                            incident_id=None, **over)
        resp = client.post(f"{API}/decisions/preview", json=body, headers=h)
        assert resp.status_code == 200, resp.text
        return [(f["outcome"], f.get("reason")) for f in resp.json()["fields"]]

    assert decided(recipient="sro-1") == decided(recipient="nobody-at-all")
    assert decided(reuse_of=ids["request"]) == decided(reuse_of="req_nope")
    about_harbor = client.post(f"{API}/disclosure-requests", json=request_body(), headers=h)
    about_nobody = client.post(f"{API}/disclosure-requests", json=request_body(student_id="nobody"), headers=h)
    assert about_harbor.status_code == about_nobody.status_code == 201
    assert about_harbor.json()["decision"] == about_nobody.json()["decision"] == "DENY"
    assert [f.get("reason") for f in about_harbor.json()["fields"]] == \
        [f.get("reason") for f in about_nobody.json()["fields"]]
    assert "Jordan" not in about_harbor.text
