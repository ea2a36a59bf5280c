"""Legal-basis routes (API.md section 6): happy paths, role checks, structural 422s, conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import auth
from tests.harbor import CONSENT, EMERGENCY, ORDER


def test_consent_lifecycle(harbor: TestClient) -> None:
    created = harbor.post("/api/v1/students/st-a/consents", json=CONSENT, headers=auth("prin-1"))
    assert created.status_code == 201 and created.json()["valid"] is True
    unwritten = harbor.post("/api/v1/students/st-a/consents", json={**CONSENT, "written": False},
                            headers=auth("admin"))
    assert unwritten.status_code == 201
    assert unwritten.json()["valid"] is False and "NOT_WRITTEN" in unwritten.json()["invalid_reasons"]
    listed = harbor.get("/api/v1/students/st-a/consents", headers=auth("parent-ana"))
    assert {c["id"] for c in listed.json()["consents"]} == {created.json()["id"], unwritten.json()["id"]}
    assert harbor.get("/api/v1/students/st-a/consents", headers=auth("sro-1")).status_code == 403
    cid = created.json()["id"]
    assert harbor.post(f"/api/v1/consents/{cid}/revoke", json={}, headers=auth("sro-1")).status_code == 403
    revoked = harbor.post(f"/api/v1/consents/{cid}/revoke", json={"revoked_on": "2025-03-10"},
                          headers=auth("parent-ana"))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert harbor.post(f"/api/v1/consents/{cid}/revoke", json={}, headers=auth("parent-ana")).status_code == 409
    assert harbor.post("/api/v1/consents/nope/revoke", json={}, headers=auth("admin")).status_code == 404


@pytest.mark.parametrize("over", [
    {"signer_relationship": "uncle"}, {"purpose": "SNOOPING"}, {"recipients": []}, {"written": "maybe"},
    {"signed_on": "2025-02-30"}, {"categories_37l": ["HOROSCOPE"]}, {"fields": [], "categories_37l": []},
])
def test_consent_structure_is_422(harbor: TestClient, over: dict[str, Any]) -> None:
    resp = harbor.post("/api/v1/students/st-a/consents", json={**CONSENT, **over}, headers=auth("admin"))
    assert resp.status_code == 422, resp.text
    assert harbor.get("/api/v1/students/st-a/consents", headers=auth("admin")).json()["consents"] == []


def test_consent_routes_guard_roles_and_scope(harbor: TestClient) -> None:
    assert harbor.post("/api/v1/students/st-a/consents", json=CONSENT).status_code == 401
    assert harbor.post("/api/v1/students/st-a/consents", json=CONSENT, headers=auth("sro-1")).status_code == 403
    assert harbor.post("/api/v1/students/nobody/consents", json=CONSENT, headers=auth("admin")).status_code == 404


def test_emergency_lifecycle(harbor: TestClient) -> None:
    assert harbor.post("/api/v1/emergencies", json=EMERGENCY, headers=auth("sro-1")).status_code == 403
    assert harbor.post("/api/v1/emergencies", json=EMERGENCY, headers=auth("prin-2")).status_code == 403
    created = harbor.post("/api/v1/emergencies", json=EMERGENCY, headers=auth("prin-1"))
    assert created.status_code == 201 and created.json()["active"] is True
    eid = created.json()["id"]
    added = harbor.post(f"/api/v1/emergencies/{eid}/recipients", headers=auth("prin-1"),
                        json={"recipients": ["det-1"], "necessary_fields": {"class_schedule": "locate"}})
    assert added.status_code == 200 and "det-1" in added.json()["recipients"]
    renewed = harbor.post(f"/api/v1/emergencies/{eid}/renew", headers=auth("prin-1"), json={
        k: EMERGENCY[k] for k in ("threat", "significance", "imminence", "persons_at_risk")})
    assert renewed.status_code == 200
    assert harbor.post(f"/api/v1/emergencies/{eid}/end", headers=auth("prin-1")).status_code == 200
    assert harbor.post(f"/api/v1/emergencies/{eid}/end", headers=auth("prin-1")).status_code == 409
    assert harbor.post("/api/v1/emergencies/nope/end", headers=auth("prin-1")).status_code == 404


@pytest.mark.parametrize("over", [
    {"imminence": "not_imminent"}, {"threat": "general safety concern about a student at school today"},
    {"threat": "He seems angry."}, {"persons_at_risk": "unknown"}, {"significance": "n/a"},
    {"necessary_fields": {}}, {"starts_at": "2025-03-10T14:00:00-05:00"}, {"imminence": "soonish"},
])
def test_emergency_without_articulable_threat_is_422_and_audited(harbor: TestClient, over: dict[str, Any]) -> None:
    resp = harbor.post("/api/v1/emergencies", json={**EMERGENCY, **over}, headers=auth("prin-1"))
    assert resp.status_code == 422, resp.text
    events = harbor.get("/api/v1/audit/events", params={"type": "emergency.rejected"}, headers=auth("aud-1"))
    assert len(events.json()["events"]) == 1


def test_legal_order_lifecycle(harbor: TestClient) -> None:
    assert harbor.post("/api/v1/legal-orders", json=ORDER, headers=auth("prin-1")).status_code == 403
    created = harbor.post("/api/v1/legal-orders", json=ORDER, headers=auth("admin"))
    assert created.status_code == 201 and created.json()["status"] == "received"
    oid = created.json()["id"]
    assert harbor.post(f"/api/v1/legal-orders/{oid}/validate", json={}, headers=auth("sro-1")).status_code == 403
    assert harbor.post(f"/api/v1/legal-orders/{oid}/validate", json={}, headers=auth("prin-1")).status_code == 200
    assert harbor.post(f"/api/v1/legal-orders/{oid}/validate", json={}, headers=auth("prin-1")).status_code == 409
    notice = harbor.post(f"/api/v1/legal-orders/{oid}/parent-notice", headers=auth("prin-1"),
                         json={"sent_at": "2025-03-10T09:00:00-05:00", "method": "letter",
                               "notified": ["parent-ana"]})
    assert notice.status_code == 200 and notice.json()["parent_notice"]["notified"] == ["parent-ana"]
    warrant = harbor.post("/api/v1/legal-orders", json={**ORDER, "kind": "ADMIN_WARRANT"}, headers=auth("admin"))
    assert warrant.json()["valid"] is False and warrant.json()["invalid_reasons"] == ["NOT_JUDICIAL_PROCESS"]
    wid = warrant.json()["id"]
    assert harbor.post(f"/api/v1/legal-orders/{wid}/reject", json={"reason": "x"},
                       headers=auth("prin-1")).status_code == 200
    assert harbor.post("/api/v1/legal-orders", json={**ORDER, "kind": "LETTER"},
                       headers=auth("admin")).status_code == 422
    assert harbor.post("/api/v1/legal-orders/nope/validate", json={}, headers=auth("prin-1")).status_code == 404


def test_admin_subpoena_is_validated_by_counsel_only(harbor: TestClient) -> None:
    harbor.put("/api/v1/users/cnsl-1", json={"name": "Counsel", "role": "counsel"}, headers=auth("admin"))
    oid = harbor.post("/api/v1/legal-orders", json={**ORDER, "kind": "ADMIN_SUBPOENA"},
                      headers=auth("admin")).json()["id"]
    assert harbor.post(f"/api/v1/legal-orders/{oid}/validate", json={}, headers=auth("prin-1")).status_code == 403
    assert harbor.post(f"/api/v1/legal-orders/{oid}/validate", json={}, headers=auth("cnsl-1")).status_code == 200


def test_reports(harbor: TestClient) -> None:
    body = {"kind": "REPORT_51A", "student_id": "st-a", "filed_by": "sro-1", "fields": ["parent_names"]}
    created = harbor.post("/api/v1/reports", json=body, headers=auth("sro-1"))
    assert created.status_code == 201 and created.json()["kind"] == "REPORT_51A"
    assert harbor.post("/api/v1/reports", json=body, headers=auth("t-1")).status_code == 403
    weapon = {"kind": "WEAPON_REPORT", "student_id": "st-a", "filed_by": "prin-1", "recipient": "det-1",
              "fields": ["name"]}
    assert harbor.post("/api/v1/reports", json=weapon, headers=auth("prin-1")).status_code == 403
    assert harbor.post("/api/v1/reports", json=weapon, headers=auth("admin")).status_code == 422
    assert harbor.post("/api/v1/reports", json={**body, "kind": "RUMOUR"}, headers=auth("admin")).status_code == 422
    types = {e["type"] for e in harbor.get("/api/v1/audit/events", headers=auth("aud-1")).json()["events"]}
    assert {"report.recorded", "access.forbidden"} <= types


def test_orders_calling_for_immigration_status_need_counsel(harbor: TestClient) -> None:
    harbor.put("/api/v1/users/cnsl-1", json={"name": "Counsel", "role": "counsel"}, headers=auth("admin"))
    oid = harbor.post("/api/v1/legal-orders", json={**ORDER, "fields": ["immigration_status"]},
                      headers=auth("admin")).json()["id"]
    assert harbor.post(f"/api/v1/legal-orders/{oid}/validate", json={}, headers=auth("prin-1")).status_code == 403
    assert harbor.post(f"/api/v1/legal-orders/{oid}/validate", json={}, headers=auth("cnsl-1")).status_code == 200


def test_recipients_named_by_agency_or_role_are_recorded(harbor: TestClient) -> None:
    """Recipients such as "agency:Harbor PD" hold a space: they are audited as ids (recipient_ids), not refused
    by the audit guard as free text (which answered 500)."""
    parties = ["sro-1", "agency:Harbor PD", "role:ems"]
    declared = harbor.post("/api/v1/emergencies", json={**EMERGENCY, "recipients": parties}, headers=auth("prin-1"))
    assert declared.status_code == 201, declared.text
    added = harbor.post(f"/api/v1/emergencies/{declared.json()['id']}/recipients",
                        json={"recipients": ["agency:Bay State Police"], "necessary_fields": {"photo": "identify"}},
                        headers=auth("prin-1"))
    assert added.status_code == 200, added.text
    consent = harbor.post("/api/v1/students/st-a/consents", json={**CONSENT, "recipients": ["agency:Harbor PD"]},
                          headers=auth("prin-1"))
    assert consent.status_code == 201, consent.text
    events = harbor.get("/api/v1/audit/events", params={"type": "emergency.declared"}, headers=auth("aud-1"))
    recorded = [e["data"] for e in events.json()["events"]]
    assert any(d.get("recipient_ids") == parties for d in recorded)
    assert any(d.get("added_recipient_ids") == ["agency:Bay State Police"] for d in recorded)
