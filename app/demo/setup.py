"""Creating the demo district through the domain services, so the demo data is validated and audited like any
admin's. Idempotent: a second run reuses what exists and only refreshes the configuration when the school year
rolled over (the notice in force and the SRO's certification follow today's date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.db.models import District, Incident, Student
from app.demo import data
from app.domain.districts.schemas import DistrictIn, SchoolIn, UserIn
from app.domain.districts.service import put_district, put_school, put_user
from app.domain.students.schemas import IncidentIn, IncidentStudent
from app.domain.students.service import put_incident, put_student
from app.policy.vocabulary import Vocabulary

ACTOR = Principal(id="cli:demo", role="admin", name="Demo set-up", district_id=data.DISTRICT_ID, agency_type="school")
SRO, PRINCIPAL, AUDITOR, PARENT, ADMIN = "demo-sro", "demo-principal", "demo-auditor", "demo-parent", "demo-admin"
USERS = (SRO, PRINCIPAL, AUDITOR, PARENT, ADMIN)
SRO_PURPOSES = ["LE_RESPONSE", "IMMEDIATE_SAFETY", "THREAT_ASSESSMENT", "EMERGENCY_PLANNING", "SERVICES_REFERRAL",
                "MANDATED_REPORT_51A"]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    refreshed: bool
    user_ids: tuple[str, ...] = USERS


def district_body(today: date) -> DistrictIn:
    year, starts, ends = data.school_year(today)
    issued = starts - timedelta(days=1)
    # The directory basis opens only after the opt-out window closed (R-DIR-1); a demo started in July must not
    # wait a month for its directory example, so the window is shortened to end before today.
    opt_out_closes = max(issued, min(starts + timedelta(days=30), today - timedelta(days=1)))
    return DistrictIn.model_validate({
        "name": "Harborview Public Schools (demo)", "timezone": "America/New_York",
        "mou": {"signed_on": date(starts.year - 1, 8, 1).isoformat(), "filed_with_dese": True},
        "annual_notifications": [{
            "school_year": year, "starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
            "issued_on": issued.isoformat(), "names_sros": True, "names_pd_contacts": False,
            "sro_purposes": SRO_PURPOSES, "directory_fields": ["name", "grade_level", "phone", "home_address"],
            "directory_opt_out_closes_on": opt_out_closes.isoformat()}],
        "home_language_duty": ["pt", "es"],
        "settings": {"redisclosure_notice_version": "RN-DEMO-1"},
    })


def _users(today: date) -> dict[str, UserIn]:
    _, _, ends = data.school_year(today)
    return {
        SRO: UserIn(name="Officer Dana Reyes (demo)", role="sro", title="School Resource Officer",
                    affiliation="Harborview PD", school_ids=[data.HIGH, data.MIDDLE], sro_certified_until=ends,
                    mou_contact=True,
                    district_id=data.DISTRICT_ID),
        PRINCIPAL: UserIn(name="Principal Lee Morgan (demo)", role="principal", school_ids=[data.HIGH],
                          district_id=data.DISTRICT_ID),
        AUDITOR: UserIn(name="Records Auditor (demo)", role="auditor", district_id=data.DISTRICT_ID),
        PARENT: UserIn.model_validate({"name": "Parent of demo-st-001", "role": "parent",
                                       "district_id": data.DISTRICT_ID,
                                       "children": [{"student_id": data.AGGRESSOR, "relationship": "mother"}]}),
        ADMIN: UserIn(name="Privacy Officer (demo)", role="admin", district_id=data.DISTRICT_ID),
    }


def _notice_current(district: District, today: date) -> bool:
    return any(date.fromisoformat(n["starts_on"]) <= today <= date.fromisoformat(n["ends_on"])
               for n in district.annual_notifications or [])


def create_demo(session: Session, vocab: Vocabulary, today: date) -> DemoResult:
    """Create or reuse the demo district in the caller's transaction (the caller commits)."""
    district = session.get(District, data.DISTRICT_ID)
    created = district is None
    refreshed = district is not None and not _notice_current(district, today)
    if created or refreshed:
        put_district(session, ACTOR, data.DISTRICT_ID, district_body(today), vocab)
        for school_id, (name, grades) in data.SCHOOLS.items():
            put_school(session, ACTOR, school_id, SchoolIn(district_id=data.DISTRICT_ID, name=name, grades=grades))
    if session.get(Student, data.AGGRESSOR) is None:
        for student in data.students(today):
            put_student(session, ACTOR, student.id, student.body, vocab)
    if created or refreshed:
        # Users after students: the parent links to a child that must exist.
        for user_id, body in _users(today).items():
            put_user(session, ACTOR, user_id, body, vocab)
    if session.get(Incident, data.INCIDENT_ID) is None:
        occurred = datetime.combine(today - timedelta(days=2), datetime.min.time().replace(hour=12, minute=10),
                                    tzinfo=timezone(timedelta(hours=-5)))
        put_incident(session, ACTOR, data.INCIDENT_ID, IncidentIn(
            school_id=data.HIGH, occurred_at=occurred, classification="MOU_II_1_PHYSICAL_HARM",
            students=[IncidentStudent(student_id=data.AGGRESSOR, role="aggressor"),
                      IncidentStudent(student_id=data.VICTIM, role="victim")],
            summary="Fight in the cafeteria (synthetic demo incident)"), vocab)
    return DemoResult(created=created, refreshed=refreshed)
