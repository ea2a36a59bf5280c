"""A small district for workflow tests, after the acceptance fixture: one high school, an SRO who is a school
official, a principal, an auditor, a parent and one student with ordinary, section 37L and privileged fields."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import DISTRICT, auth

NOW = "2025-03-10T10:00:00-05:00"

HARBOR_DISTRICT: dict[str, Any] = {
    **DISTRICT,
    "annual_notifications": [{
        **DISTRICT["annual_notifications"][0],
        "sro_purposes": ["LE_RESPONSE", "IMMEDIATE_SAFETY", "THREAT_ASSESSMENT", "EMERGENCY_PLANNING",
                         "SERVICES_REFERRAL", "MANDATED_REPORT_51A", "POST_ARREST_PARENT_NOTICE"],
        "directory_fields": ["name", "home_address", "phone", "date_of_birth", "place_of_birth", "grade_level",
                             "dates_of_attendance"]}],
}

VALUES = {
    "name": "Jordan Alves-Synthetic",
    "photo": "photo-ref portraits/7f3c-synthetic.jpg",
    "grade_level": "Grade 10 synthetic",
    "class_schedule": "P1 Biology rm 120 synthetic; P2 Algebra II rm 214",
    "attendance_detail": "Absent 2025-03-07 afternoon synthetic",
    "incident_report:INC-101": "INC-101 narrative synthetic: cafeteria assault, victim Victor",
    "religion": "Synthetic-faith-value (family-reported)",
    "immigration_status": "Synthetic immigration note A-000",
    "home_address": "41 Synthetic Tern Street, Harbor MA",
    "counseling_notes": "Synthetic counselor session notes about stress",
    "grades": "Biology B synthetic; Algebra C synthetic",
}

USERS: dict[str, dict[str, Any]] = {
    "sro-1": {"name": "Officer Reyes", "role": "sro", "title": "SRO", "affiliation": "Harbor PD",
              "school_ids": ["hhs"], "sro_certified_until": "2026-06-30", "mou_contact": True},
    "det-1": {"name": "Det. Kelly", "role": "law_enforcement", "affiliation": "Harbor PD"},
    "prin-1": {"name": "Dr. Chen", "role": "principal", "title": "Principal", "school_ids": ["hhs"]},
    "prin-2": {"name": "Ms. Okoro", "role": "principal", "title": "Principal", "school_ids": ["bes"]},
    "aud-1": {"name": "Ruth A.", "role": "auditor", "school_ids": ["hhs"]},
    "t-1": {"name": "Teacher", "role": "staff", "school_ids": ["hhs"]},
    "parent-ana": {"name": "Ana Alves", "role": "parent",
                   "children": [{"student_id": "st-a", "relationship": "mother"}]},
}

# Artifact bodies for Harbor's student st-a: a parent's consent, an emergency declaration, a court order.
CONSENT: dict[str, Any] = {
    "signed_by": "parent-ana", "signer_relationship": "parent", "signed_on": "2025-03-01", "written": True,
    "authenticated": True, "language": "en", "fields": ["grades"], "purpose": "DIVERSION",
    "recipients": ["sro-1"], "expires_on": "2025-06-30"}
EMERGENCY: dict[str, Any] = {
    "school_id": "hhs", "student_ids": ["st-a"],
    "threat": "At 07:10 a student posted a photo of a handgun with a list of named classmates for tomorrow.",
    "significance": "Firearm access plus a target list", "imminence": "imminent",
    "persons_at_risk": "HHS students and staff", "starts_at": "2025-03-10T09:45:00-05:00",
    "review_at": "2025-03-10T13:45:00-05:00", "recipients": ["sro-1"],
    "necessary_fields": {"photo": "identify the student"}}
ORDER: dict[str, Any] = {
    "kind": "COURT_ORDER", "student_id": "st-a", "issuer": "Juvenile Court", "case": "JV-1",
    "issued_on": "2025-03-05", "fields": ["attendance_detail"], "recipient": "det-1"}


def load_harbor(client: TestClient) -> None:
    h = auth("admin")
    steps: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/districts/hrps", HARBOR_DISTRICT),
        ("/api/v1/schools/hhs", {"district_id": "hrps", "name": "Harbor High", "grades": ["9", "10", "11", "12"]}),
        ("/api/v1/schools/bes", {"district_id": "hrps", "name": "Bayview Elementary", "grades": ["K", "1"]}),
        ("/api/v1/students/st-a", {"school_id": "hhs", "date_of_birth": "2009-06-14", "grade_level": "10",
                                   "home_language": "en", "fields": VALUES,
                                   "field_sources": {"counseling_notes": "clinician"}}),
        ("/api/v1/students/v-1", {"school_id": "hhs", "date_of_birth": "2009-02-11", "grade_level": "10",
                                  "fields": {"name": "Victor Synthetic-Osei"}}),
        ("/api/v1/incidents/INC-101", {
            "school_id": "hhs", "occurred_at": "2025-03-07T12:10:00-05:00", "classification": "MOU_II_1_PHYSICAL_HARM",
            "students": [{"student_id": "st-a", "role": "aggressor"}, {"student_id": "v-1", "role": "victim"}]}),
    ]
    steps += [(f"/api/v1/users/{uid}", body) for uid, body in USERS.items()]
    for path, body in steps:
        resp = client.put(path, json=body, headers=h)
        assert resp.status_code in (200, 201), (path, resp.text)


def request_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"student_id": "st-a", "purpose": "LE_RESPONSE", "incident_id": "INC-101",
                            "fields": ["name", "photo", "class_schedule", "incident_report:INC-101", "religion",
                                       "immigration_status", "counseling_notes", "grades"]}
    body.update(over)
    return body


def outcomes(body: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {f["field"]: (f["outcome"], f.get("reason")) for f in body["fields"]}
