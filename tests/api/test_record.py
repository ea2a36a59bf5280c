"""The record of disclosures (API.md section 8): who may read it, what a parent sees, the consent copy."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import auth
from tests.harbor import HARBOR_DISTRICT, VALUES, request_body

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


def test_unknown_student_is_refused_like_any_other_not_found_only_for_full_viewers(harbor: TestClient) -> None:
    """Police and parents may not learn which ids are students: an unknown id gets the same 403 as a real one."""
    unknown = "/api/v1/students/nobody/disclosure-record"
    for caller in ("sro-1", "parent-ana", "prin-1"):
        real, fake = harbor.get(RECORD, headers=auth(caller)), harbor.get(unknown, headers=auth(caller))
        assert fake.status_code == 403, caller
        assert real.status_code in (200, 403)
    assert harbor.get(unknown, headers=auth("sro-1")).json()["status"] == harbor.get(
        RECORD, headers=auth("sro-1")).json()["status"] == 403
    assert harbor.get(f"{unknown}/req_x/copy", headers=auth("parent-ana")).status_code == 403
    assert harbor.get(unknown, headers=auth("admin")).status_code == 404
    forbidden = harbor.get("/api/v1/audit/events", params={"type": "access.forbidden"}, headers=auth("aud-1"))
    assert len(forbidden.json()["events"]) >= 5


def _designate_leu(harbor: TestClient, parent_visible: bool) -> str:
    district = {**HARBOR_DISTRICT, "law_enforcement_units": [{"id": "leu-1", "name": "Safety Office",
                                                              "supervisor": "leus-1"}],
                "settings": {**HARBOR_DISTRICT["settings"], "leu_disclosures_parent_visible": parent_visible}}
    assert harbor.put("/api/v1/districts/hrps", json=district, headers=auth("admin")).status_code in (200, 201)
    assert harbor.put("/api/v1/users/leus-1", json={"name": "Sgt. Lee", "role": "leu_supervisor"},
                      headers=auth("admin")).status_code in (200, 201)
    student = {"school_id": "hhs", "date_of_birth": "2009-06-14", "grade_level": "10", "home_language": "en",
               "fields": {**VALUES, "leu_report:77": "LEU log synthetic"},
               "field_sources": {"counseling_notes": "clinician", "leu_report:77": "leu"}}
    assert harbor.put("/api/v1/students/st-a", json=student, headers=auth("admin")).status_code in (200, 201)
    leu = harbor.post("/api/v1/disclosure-requests", headers=auth("det-1"), json=request_body(
        fields=["leu_report:77"])).json()
    approved = harbor.post(f"/api/v1/disclosure-requests/{leu['id']}/approve", json={}, headers=auth("leus-1"))
    assert approved.json()["fields"][0]["basis"] == ["NOT_EDUCATION_RECORD_LEU"], approved.text
    return str(leu["id"])


def test_leu_record_disclosures_are_not_in_the_parent_visible_record(harbor: TestClient) -> None:
    """R-REC-3: not shown to the family unless the district's policy says so; the school and auditors see it."""
    leu_id = _designate_leu(harbor, parent_visible=False)
    other = harbor.post("/api/v1/disclosure-requests", json=request_body(fields=["religion"]), headers=auth("sro-1"))
    family = harbor.get(RECORD, headers=auth("parent-ana")).json()["entries"]
    assert [e["request_id"] for e in family] == [other.json()["id"]]
    full = {e["request_id"]: e for e in harbor.get(RECORD, headers=auth("aud-1")).json()["entries"]}
    assert full[leu_id]["fields_released"] == ["leu_report:77"]
    assert full[leu_id]["parent_visible"] is False and full[other.json()["id"]]["parent_visible"] is True


def test_district_policy_can_show_leu_disclosures_to_the_family(harbor: TestClient) -> None:
    leu_id = _designate_leu(harbor, parent_visible=True)
    family = harbor.get(RECORD, headers=auth("parent-ana")).json()["entries"]
    assert [e["request_id"] for e in family] == [leu_id]
    assert family[0]["parent_visible"] is True


def test_entries_carry_links_rules_and_policy_version(harbor: TestClient) -> None:
    """R-LOG-2: linked ids, rule ids, the basis per field and the policy version, besides API.md's members."""
    created = harbor.post("/api/v1/disclosure-requests", json=request_body(), headers=auth("sro-1")).json()
    harbor.post(f"/api/v1/disclosure-requests/{created['id']}/approve", json={}, headers=auth("prin-1"))
    entry = harbor.get(RECORD, headers=auth("aud-1")).json()["entries"][0]
    assert entry["incident_id"] == "INC-101" and entry["consent_ids"] == [] and entry["legal_order_id"] is None
    assert entry["policy_version"].startswith("sha256:")
    assert set(entry["basis_by_field"]) == set(entry["fields_released"])
    assert "R-GATE-7" in entry["rules"] or entry["rules"]
