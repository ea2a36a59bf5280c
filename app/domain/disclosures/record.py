"""The record of disclosures (34 CFR 99.32, 603 CMR 23.07; API.md section 8; R-LOG-*).

One entry per request about the student (denied ones too), showing its current state; a released unmasked record
naming other students also appears in their records. Parents and eligible students never see sealed entries or
other students' ids. Reading is audited as record.viewed; it is not itself an entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app import clock
from app.audit.guard import note_sensitive_values
from app.audit.service import append
from app.auth.principal import Principal
from app.db.artifacts import DisclosureRequest, Emergency
from app.db.models import District, Student, User
from app.domain import access
from app.domain.disclosures import repository as repo
from app.domain.disclosures.state import released_name
from app.domain.districts import repository as people
from app.domain.legal_bases import repository as artifacts
from app.domain.students import repository as students_repo
from app.errors import Forbidden, NotFound
from app.policy.validation import age_on
from app.records.base import RecordStore, redact

FULL_VIEW = frozenset({"auditor", "admin"})
LEU_BASIS = "NOT_EDUCATION_RECORD_LEU"


def _viewer_kind(session: Session, caller: Principal, student: Student) -> str:
    """'full', 'school' or 'family'; refuses everyone else (R-LOG-6)."""
    if caller.role in FULL_VIEW:
        return "full"
    if caller.role in ("principal", "designee") and access.serves_school(caller, student.school_id):
        return "school"
    user = people.get_user(session, caller.id)
    age = age_on(student.date_of_birth, clock.now().astimezone(_zone(session, student)).date())
    if caller.role == "student" and user is not None and student.id in (user.student_ids or []):
        grade = (student.grade_level or "").strip()
        if age >= 14 or (grade.isdigit() and int(grade) >= 9):
            return "family"
    if caller.role == "parent" and user is not None:
        link = next((c for c in user.children or [] if c.get("student_id") == student.id), None)
        if link is not None and not link.get("rights_limited") and (age < 18 or _adult_allows(session, caller,
                                                                                           student)):
            return "family"
    raise Forbidden("You may not read this student's record of disclosures.", audit_data={"student_id": student.id})


def _adult_allows(session: Session, caller: Principal, student: Student) -> bool:
    """A-24: a parent of an 18+ student needs the student's consent on file naming them for record inspection."""
    for consent in artifacts.consents_of(session, student.id):
        body = consent.body
        if (consent.valid and consent.revoked_at is None and body.get("signer_relationship") == "student"
                and body.get("purpose") == "RECORD_INSPECTION" and caller.id in body.get("recipients", [])):
            return True
    return False


def _party(users: dict[str, User], user_id: str | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    if user_id.startswith("gatekeeper"):
        rule = user_id.partition(":")[2] or None
        return {"id": "gatekeeper", "name": "Automatic release", "title": rule}
    user = users.get(user_id)
    if user is None:
        return {"id": user_id, "name": None, "title": None, "affiliation": None}
    return {"id": user.id, "name": user.name, "title": user.title, "affiliation": user.affiliation}


def _emergency_used(session: Session, row: DisclosureRequest) -> Emergency | None:
    """The declaration the release relied on (recorded at release), else the one the request cited."""
    emergency_id = row.emergency_used_id or row.body.get("emergency_id")
    return artifacts.get_emergency(session, emergency_id) if emergency_id else None


def _is_leu_record(field: dict[str, Any]) -> bool:
    return LEU_BASIS in field.get("basis", [])


def _entry(session: Session, row: DisclosureRequest, users: dict[str, User], family: bool,
           leu_visible: bool = False) -> dict[str, Any]:
    body = row.body
    # R-REC-3: disclosures of law enforcement unit records are not in the parent-visible record unless the district
    # says so (settings.leu_disclosures_parent_visible); other views show everything.
    fields = [f for f in row.fields if not (family and not leu_visible and _is_leu_record(f))]
    released = [released_name(f) for f in fields if f["outcome"] == "RELEASE"]
    withheld = [{"field": f["field"], "reason": f.get("reason"), "reasons": f.get("reasons", [])}
                for f in fields if f["outcome"] == "WITHHOLD"]
    bases = sorted({b for f in fields if f["outcome"] == "RELEASE" for b in f.get("basis", [])})
    interest = ", ".join(x for x in (row.purpose, body.get("incident_id"), body.get("case_id")) if x)
    emergency = _emergency_used(session, row)
    order = artifacts.get_order(session, body["legal_order_id"]) if body.get("legal_order_id") else None
    entry: dict[str, Any] = {
        "request_id": row.id, "at": row.created_at.isoformat(), "decision": row.decision, "purpose": row.purpose,
        "requester": _party(users, row.requester_id), "released_by": _party(users, row.released_by),
        "fields_requested": [f["field"] for f in fields],
        "fields_released": released, "fields_withheld": withheld,
        "fields_pending": [f["field"] for f in fields if f["outcome"] == "PENDING"], "basis": bases,
        "basis_by_field": {released_name(f): list(f.get("basis", [])) for f in fields if f["outcome"] == "RELEASE"},
        "legitimate_interest": interest,
        "threat": emergency.body.get("threat") if emergency and "FERPA_EMERGENCY" in bases else None,
        "legal_order": {"id": order.id, "kind": order.kind, "issuer": order.body.get("issuer"),
                        "case": order.body.get("case")} if order else None,
        "notice_version": row.notice_version if released else None, "recipients": [row.recipient_id],
        "channel": body.get("channel", "api"), "initiated_by": row.caller_id,
        "use_restrictions": list(row.use_restrictions),
        "parent_notice_at": order.parent_notice_sent_at.isoformat() if order and order.parent_notice_sent_at
        else None,
        "further_parties": [body["destination"]] if body.get("destination") else [],
        "released_at": row.released_at.isoformat() if row.released_at else None,
        # R-LOG-2: the linked artifacts, the rules that decided, and the policy that was in force.
        "incident_id": body.get("incident_id"), "consent_ids": list(body.get("consent_ids") or []),
        "emergency_id": emergency.id if emergency else None, "legal_order_id": order.id if order else None,
        "rules": list(dict.fromkeys(r for f in fields for r in f.get("rules", []))),
        "policy_version": row.policy_version,
        "parent_visible": not row.sealed and any(leu_visible or not _is_leu_record(f) for f in row.fields),
    }
    if emergency is not None and entry["threat"]:
        entry["emergency"] = {"id": emergency.id, "declared_by": emergency.declared_by,
                              "recipients": emergency.body.get("recipients", [])}
    if not family:
        entry["sealed"] = row.sealed
        entry["other_students"] = list(row.named_student_ids or [])
    return entry


def _student(session: Session, caller: Principal, student_id: str) -> Student:
    """The student whose record is asked for. Only auditor and admin learn that an id is unknown (404); anyone else
    gets the 403 of any caller who may not read it, so the route never tells who is a student (API.md section 8)."""
    student = students_repo.student_in(session, access.scope_of(caller), student_id)
    if student is None:
        if caller.role in FULL_VIEW:
            raise NotFound("No such student.")
        raise Forbidden("You may not read this student's record of disclosures.", audit_data={"student_id": None})
    return student


def disclosure_record(session: Session, caller: Principal, student_id: str, since: date | None,
                      until: date | None) -> dict[str, Any]:
    student = _student(session, caller, student_id)
    kind = _viewer_kind(session, caller, student)
    district = session.get(District, student.district_id)
    zone = _zone_of(district)
    rows = [r for r in repo.for_student_record(session, student.district_id, student.id)
            if _in_window(r.created_at.astimezone(zone).date(), since, until)]
    if kind != "full":
        rows = [r for r in rows if not r.sealed]
    ids = {x for r in rows for x in (r.requester_id, r.released_by, r.recipient_id) if x}
    users = people.users_by_ids(session, ids)
    leu_visible = bool(district is not None and (district.settings or {}).get("leu_disclosures_parent_visible"))
    entries = [_entry(session, r, users, family=kind == "family", leu_visible=leu_visible) for r in rows]
    if kind == "family":
        entries = [e for e in entries if e["fields_requested"]]  # an entry of LEU records alone is not shown
    append(session, "record.viewed", actor_id=caller.id, student_id=student.id,
           data={"entries": len(entries), "view": kind})
    return {"student_id": student.id, "entries": entries}


def _in_window(day: date, since: date | None, until: date | None) -> bool:
    """Dates are the district's (the legal clock's local date), like ages and notice holds."""
    return (since is None or day >= since) and (until is None or day <= until)


def _zone(session: Session, student: Student) -> ZoneInfo:
    return _zone_of(session.get(District, student.district_id))


def _zone_of(district: District | None) -> ZoneInfo:
    return ZoneInfo(district.timezone) if district is not None else ZoneInfo("UTC")


def consent_copy(session: Session, caller: Principal, student_id: str, request_id: str,
                 store: RecordStore) -> dict[str, Any]:
    """99.30(c), R-CON-9: the parent or eligible student gets a copy of what was disclosed under a consent."""
    student = _student(session, caller, student_id)
    if _viewer_kind(session, caller, student) != "family" and caller.role not in FULL_VIEW:
        raise Forbidden("Only the parent or eligible student receives a copy.", audit_data={"student_id": student.id})
    row = repo.get_in(session, access.DistrictScope(student.district_id), request_id)
    if row is None or row.student_id != student.id or row.sealed and caller.role not in FULL_VIEW:
        raise NotFound("No such disclosure in this record.")
    names = [released_name(f) for f in row.fields
             if f["outcome"] == "RELEASE" and "FERPA_CONSENT" in f.get("basis", [])]
    if not names:
        raise NotFound("Nothing was disclosed under a consent in this request.")
    values = store.read(student.id, names)
    note_sensitive_values(values.values())
    copy = redact(values, names)
    append(session, "record.copied", actor_id=caller.id, student_id=student.id, request_id=row.id,
           data={"fields": sorted(copy)})
    return {"request_id": row.id, "student_id": student.id, "disclosed_at": row.released_at.isoformat()
            if row.released_at else None, "released": dict(copy)}
