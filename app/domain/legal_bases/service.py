"""Consents, emergencies and legal orders (API.md section 6). Structure errors are 422 and store nothing;
legally insufficient but complete artifacts are stored with valid=false. Every outcome is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app import clock
from app.audit.service import append
from app.auth.principal import Principal
from app.db.artifacts import Consent, Emergency, LegalOrder
from app.db.models import District, Student
from app.domain import access
from app.domain import facts_builder as fb
from app.domain.districts import repository as people
from app.domain.ids import new_id
from app.domain.legal_bases import repository as repo
from app.domain.legal_bases.schemas import ConsentIn, EmergencyIn, LegalOrderIn, RecipientsIn, RenewIn, RevokeIn
from app.domain.students import repository as students_repo
from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.policy.conditions.emergency import emergency_active
from app.policy.facts import ConsentInput, assess_consent, check_emergency_declaration
from app.policy.validation import age_on, assess_order, emergency_review_at, revocation_effective_at
from app.policy.vocabulary import Vocabulary


def student_in_scope(session: Session, caller: Principal, student_id: str) -> Student:
    """The student, if in the caller's district; otherwise the same 404 whether or not it exists."""
    student = students_repo.student_in(session, access.scope_of(caller), student_id)
    if student is None:
        raise NotFound("No such student.")
    return student


def district_of(session: Session, district_id: str) -> District:
    district = session.get(District, district_id)
    if district is None:
        raise NotFound("No such district.")
    return district


# ---------------------------------------------------------------- consents
def consent_view(c: Consent) -> dict[str, Any]:
    return {"id": c.id, "student_id": c.student_id, **c.body, "valid": c.valid, "invalid_reasons": c.invalid_reasons,
            "created_at": c.created_at.isoformat(), "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            "revoked_by": c.revoked_by}


def record_consent(session: Session, caller: Principal, student_id: str, body: ConsentIn,
                   vocab: Vocabulary) -> Consent:
    student = student_in_scope(session, caller, student_id)
    # API.md section 6: admin, the student's principal, or the signer (designees may revoke, not record).
    allowed = (caller.role == "admin" or caller.id == body.signed_by
               or (caller.role == "principal" and access.serves_school(caller, student.school_id)))
    if not allowed:
        raise Forbidden("Only an admin, the student's principal or the signer may record a consent.")
    if not vocab.has("signer_relationships", body.signer_relationship):
        raise Unprocessable.at(["signer_relationship"], "unknown signer relationship")
    if not vocab.has("purposes", body.purpose):
        raise Unprocessable.at(["purpose"], "unknown purpose")
    for cat in body.categories_37l:
        if not vocab.has("categories_37l", cat):
            raise Unprocessable.at(["categories_37l"], f"unknown category {cat}")
    if not body.fields and not body.categories_37l:
        raise Unprocessable.at(["fields"], "name at least one field or section 37L category")
    now = clock.now()
    district = district_of(session, student.district_id)
    signer_row = people.get_user(session, body.signed_by)
    facts = fb.student_facts(student, {}, people.parents_of(session, student.id))
    consent_input = ConsentInput(
        signed_by=body.signed_by, signer_relationship=body.signer_relationship, signed_on=body.signed_on,
        written=body.written, authenticated=body.authenticated, informed=body.informed, language=body.language,
        fields=frozenset(body.fields), categories_37l=frozenset(body.categories_37l), purpose=body.purpose,
        recipients=frozenset(body.recipients), expires_on=body.expires_on)
    valid, reasons = assess_consent(consent_input, facts, fb.party(signer_row) if signer_row else None,
                                    fb.district_facts(district), now)
    consent = Consent(id=new_id("con"), student_id=student.id, body=body.model_dump(mode="json"), valid=valid,
                      invalid_reasons=list(reasons), recorded_by=caller.id, created_at=now)
    session.add(consent)
    session.flush()
    append(session, "consent.recorded", actor_id=caller.id, student_id=student.id, data={
        "consent_id": consent.id, "valid": valid, "invalid_reasons": list(reasons), "fields": sorted(body.fields),
        "categories_37l": sorted(body.categories_37l), "purpose": body.purpose, "signed_by": body.signed_by})
    return consent


def list_consents(session: Session, caller: Principal, student_id: str) -> list[dict[str, Any]]:
    student = student_in_scope(session, caller, student_id)
    is_family = caller.role in ("parent", "student") and student.id in _linked_students(session, caller)
    staff = caller.role in ("admin", "auditor", "counsel") or (
        caller.role in access.SCHOOL_APPROVERS | {"superintendent"} and access.serves_school(caller, student.school_id))
    if not (is_family or staff):
        raise Forbidden("You may not list this student's consents.")
    return [consent_view(c) for c in repo.consents_of(session, student.id)]


def _linked_students(session: Session, caller: Principal) -> set[str]:
    user = people.get_user(session, caller.id)
    if user is None:
        return set()
    return set(user.student_ids or []) | {c["student_id"] for c in user.children or []}


def revoke_consent(session: Session, caller: Principal, consent_id: str, body: RevokeIn) -> Consent:
    consent = repo.consent_in(session, access.scope_of(caller), consent_id)
    if consent is None:
        raise NotFound("No such consent.")
    student = student_in_scope(session, caller, consent.student_id)
    signer = consent.body["signed_by"]
    now = clock.now()
    adult = age_on(student.date_of_birth, now.date()) >= 18
    own_account = caller.role == "student" and student.id in _linked_students(session, caller)
    on_behalf = caller.role == "admin" or (
        caller.role in access.SCHOOL_APPROVERS and access.serves_school(caller, student.school_id))
    if caller.role == "parent" and adult:
        raise Forbidden("A parent cannot revoke an adult student's consent.")
    if not (caller.id == signer or (own_account and adult) or on_behalf):
        raise Forbidden("Only the signer, the adult student, or staff recording a written revocation may revoke.")
    if consent.revoked_at is not None:
        raise Conflict("The consent is already revoked.")
    zone = ZoneInfo(district_of(session, student.district_id).timezone)
    effective = revocation_effective_at(body.revoked_on, now, zone)
    consent.revoked_at = effective
    consent.revoked_by = body.revoked_by or signer
    consent.revoke_reason = body.reason
    session.flush()
    append(session, "consent.revoked", actor_id=caller.id, student_id=student.id, data={
        "consent_id": consent.id, "revoked_by": consent.revoked_by, "effective_at": effective.isoformat(),
        "stated_revoked_on": body.revoked_on.isoformat() if body.revoked_on else None})
    return consent


# ---------------------------------------------------------------- emergencies
DECLARERS = frozenset({"principal", "designee", "superintendent"})


def _check_declarer(caller: Principal, school_id: str) -> None:
    if caller.role not in DECLARERS or not access.serves_school(caller, school_id):
        raise Forbidden("Only the school's principal, a designee or the superintendent may declare an emergency.")


def declare_emergency(session: Session, caller: Principal, body: EmergencyIn, generic: list[str],
                      vocab: Vocabulary) -> Emergency:
    _check_declarer(caller, body.school_id)
    school = people.school_in(session, access.scope_of(caller), body.school_id)
    if school is None:
        raise Unprocessable.at(["school_id"], "unknown school")
    district = district_of(session, school.district_id)
    now = clock.now()
    starts = body.starts_at or now
    review = emergency_review_at(starts, body.review_at, _review_hours(district))
    problems = check_emergency_declaration(
        threat=body.threat, significance=body.significance, imminence=body.imminence,
        persons_at_risk=body.persons_at_risk, necessary_fields=body.necessary_fields, starts_at=starts,
        review_at=body.review_at or review, generic_phrases=generic)
    if not vocab.has("imminence", body.imminence):
        problems.insert(0, "unknown imminence")
    unknown = [r for r in body.recipient_fields if r not in body.recipients]
    if unknown:
        problems.append("recipient_fields names parties that are not recipients")
    if problems:
        raise EmergencyRejected(problems)
    _check_covered_students(session, caller, school.district_id, body.student_ids)
    emergency = Emergency(id=new_id("em"), district_id=school.district_id, school_id=body.school_id,
                          body=body.model_dump(mode="json"), declared_by=caller.id, declared_at=now, starts_at=starts,
                          review_at=review, ended_at=None)
    session.add(emergency)
    session.flush()
    for student_id in body.student_ids:
        append(session, "emergency.declared", actor_id=caller.id, student_id=student_id, data={
            "emergency_id": emergency.id, "imminence": body.imminence, "recipient_ids": body.recipients,
            "necessary_fields": sorted(body.necessary_fields), "review_at": review.isoformat()})
    return emergency


def _check_covered_students(session: Session, caller: Principal, district_id: str, student_ids: list[str]) -> None:
    """Each student a declaration covers is a student of the district at a school the declarer serves: the
    declaring official is the releasing official of what it allows (R-APR-4, API.md section 8)."""
    for student_id in student_ids:
        student = session.get(Student, student_id)
        if student is None or student.district_id != district_id:
            raise Unprocessable.at(["student_ids"], f"unknown student {student_id}")
        if not access.serves_school(caller, student.school_id):
            raise Forbidden("An emergency may cover only students of the schools the declaring official serves.",
                            audit_data={"student_id": student_id})


class EmergencyRejected(Unprocessable):
    """A declaration that is not an emergency (R-EMG-1): 422, audited as emergency.rejected by the router."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The declaration does not describe an articulable, imminent threat: " + "; ".join(problems),
                         errors=[{"loc": ["body"], "msg": p} for p in problems], audit_event="emergency.rejected",
                         audit_data={"problem": problems})
        self.problems = problems


def _review_hours(district: District) -> int:
    return int((district.settings or {}).get("emergency_review_hours", 4))


def emergency_view(session: Session, e: Emergency) -> dict[str, Any]:
    """`active` is the engine's answer (conditions.emergency_active) at the legal clock's now."""
    district = fb.district_facts(district_of(session, e.district_id))
    active = emergency_active(fb.emergency_facts(e), clock.now(), district)
    return {"id": e.id, **e.body, "declared_by": e.declared_by, "declared_at": e.declared_at.isoformat(),
            "starts_at": e.starts_at.isoformat(), "review_at": e.review_at.isoformat(),
            "ended_at": e.ended_at.isoformat() if e.ended_at else None, "active": active}


def _emergency_for(session: Session, caller: Principal, emergency_id: str) -> Emergency:
    emergency = repo.emergency_in(session, access.scope_of(caller), emergency_id)
    if emergency is None:
        raise NotFound("No such emergency.")
    _check_declarer(caller, emergency.school_id)
    return emergency


def end_emergency(session: Session, caller: Principal, emergency_id: str) -> Emergency:
    emergency = _emergency_for(session, caller, emergency_id)
    if emergency.ended_at is not None:
        raise Conflict("The emergency has already ended.")
    emergency.ended_at = clock.now()
    session.flush()
    append(session, "emergency.ended", actor_id=caller.id, district_id=emergency.district_id,
           data={"emergency_id": emergency.id, "students": emergency.body["student_ids"]})
    return emergency


def renew_emergency(session: Session, caller: Principal, emergency_id: str, body: RenewIn,
                    generic: list[str]) -> Emergency:
    emergency = _emergency_for(session, caller, emergency_id)
    if emergency.ended_at is not None:
        raise Conflict("An ended emergency cannot be renewed; declare a new one.")
    district = district_of(session, emergency.district_id)
    now = clock.now()
    review = emergency_review_at(now, body.review_at, _review_hours(district))
    problems = check_emergency_declaration(
        threat=body.threat, significance=body.significance, imminence=body.imminence,
        persons_at_risk=body.persons_at_risk, necessary_fields=emergency.body["necessary_fields"], starts_at=now,
        review_at=body.review_at or review, generic_phrases=generic)
    if problems:
        raise EmergencyRejected(problems)
    emergency.body = {**emergency.body, "threat": body.threat, "significance": body.significance,
                      "imminence": body.imminence, "persons_at_risk": body.persons_at_risk,
                      "renewed_at": now.isoformat()}
    emergency.review_at = review
    session.flush()
    append(session, "emergency.declared", actor_id=caller.id, district_id=emergency.district_id, data={
        "emergency_id": emergency.id, "renewal": True, "review_at": emergency.review_at.isoformat()})
    return emergency


def add_recipients(session: Session, caller: Principal, emergency_id: str, body: RecipientsIn) -> Emergency:
    emergency = _emergency_for(session, caller, emergency_id)
    merged = dict(emergency.body)
    merged["recipient_fields"] = {**_per_recipient(merged, body), **body.recipient_fields}
    merged["recipients"] = list(dict.fromkeys([*merged["recipients"], *body.recipients]))
    merged["necessary_fields"] = {**merged["necessary_fields"], **body.necessary_fields}
    emergency.body = merged
    session.flush()
    append(session, "emergency.declared", actor_id=caller.id, district_id=emergency.district_id, data={
        "emergency_id": emergency.id, "added_recipient_ids": body.recipients})
    return emergency


def _per_recipient(declared: dict[str, Any], body: RecipientsIn) -> dict[str, list[str]]:
    """R-EMG-3: necessity is decided per recipient. Fields added with new recipients are theirs alone: the recipients
    named before keep exactly the fields they had, and the new ones get the fields given with them."""
    narrowed: dict[str, list[str]] = dict(declared.get("recipient_fields") or {})
    before = sorted(declared["necessary_fields"])
    if set(body.necessary_fields) - set(before):
        for recipient in declared["recipients"]:
            narrowed.setdefault(recipient, before)
        for recipient in body.recipients:
            narrowed.setdefault(recipient, sorted(body.necessary_fields))
    return narrowed


# ---------------------------------------------------------------- legal orders
def order_view(o: LegalOrder) -> dict[str, Any]:
    return {"id": o.id, **o.body, "valid": o.valid, "invalid_reasons": o.invalid_reasons, "status": o.status,
            "validated_by": o.validated_by, "validated_at": o.validated_at.isoformat() if o.validated_at else None,
            "parent_notice": o.parent_notice}


def record_order(session: Session, caller: Principal, body: LegalOrderIn, vocab: Vocabulary) -> LegalOrder:
    if caller.role not in ("admin", "counsel"):
        raise Forbidden("Only admin or counsel may record legal process.")
    if not vocab.has("legal_order_kinds", body.kind):
        raise Unprocessable.at(["kind"], "unknown kind")
    for cat in body.categories_37l:
        if not vocab.has("categories_37l", cat):
            raise Unprocessable.at(["categories_37l"], f"unknown category {cat}")
    student_in_scope(session, caller, body.student_id)
    valid, invalid = assess_order(body.kind)
    order = LegalOrder(id=new_id("ord"), student_id=body.student_id, kind=body.kind, body=body.model_dump(mode="json"),
                       valid=valid, invalid_reasons=list(invalid), recorded_by=caller.id, status="received",
                       created_at=clock.now())
    session.add(order)
    session.flush()
    append(session, "legal_order.recorded", actor_id=caller.id, student_id=body.student_id, data={
        "legal_order_id": order.id, "kind": body.kind, "fields": sorted(body.fields), "valid": valid,
        "non_disclosure_order": body.non_disclosure_order})
    return order


def _order_for(session: Session, caller: Principal, order_id: str) -> tuple[LegalOrder, Student]:
    order = repo.order_in(session, access.scope_of(caller), order_id)
    if order is None:
        raise NotFound("No such legal order.")
    return order, student_in_scope(session, caller, order.student_id)


def _counsel_only(order: LegalOrder) -> bool:
    """A-18: administrative subpoenas; A-09: immigration status goes out only after counsel's review."""
    fields = order.body.get("fields") or []
    asks_immigration = any(f == "immigration_status" or f.endswith(":immigration_status") for f in fields)
    return order.kind == "ADMIN_SUBPOENA" or asks_immigration or "IMMIGRATION" in (order.body.get("categories_37l")
                                                                                   or [])


def validate_order(session: Session, caller: Principal, order_id: str, note: str | None) -> LegalOrder:
    order, student = _order_for(session, caller, order_id)
    principal_ok = caller.role == "principal" and access.serves_school(caller, student.school_id)
    if not (caller.role == "counsel" or (principal_ok and not _counsel_only(order))):
        raise Forbidden("Counsel validates this order (administrative subpoenas and orders calling for immigration "
                        "status, A-18, A-09); otherwise counsel or the student's principal.")
    if not order.valid:
        raise Conflict("This paper is not judicial process and cannot be validated.")
    if order.status != "received":
        raise Conflict(f"The order is already {order.status}.")
    order.status, order.validated_by, order.validated_at = "validated", caller.id, clock.now()
    session.flush()
    append(session, "legal_order.validated", actor_id=caller.id, student_id=order.student_id,
           data={"legal_order_id": order.id, "kind": order.kind, "note_given": bool(note)})
    return order


def reject_order(session: Session, caller: Principal, order_id: str, reason: str | None) -> LegalOrder:
    order, student = _order_for(session, caller, order_id)
    school_principal = caller.role == "principal" and access.serves_school(caller, student.school_id)
    if not (caller.role == "counsel" or school_principal):
        raise Forbidden("Counsel or the student's principal rejects legal process.")
    if order.status == "rejected":
        raise Conflict("The order is already rejected.")
    order.status, order.rejected_reason = "rejected", reason
    session.flush()
    append(session, "legal_order.rejected", actor_id=caller.id, student_id=order.student_id,
           data={"legal_order_id": order.id, "kind": order.kind})
    return order


def record_parent_notice(session: Session, caller: Principal, order_id: str, sent_at: datetime, method: str | None,
                         notified: list[str]) -> LegalOrder:
    order, student = _order_for(session, caller, order_id)
    if not (caller.role in ("admin", "counsel")
            or (caller.role == "principal" and access.serves_school(caller, student.school_id))):
        raise Forbidden("Admin, counsel or the student's principal records the parent notice.")
    # R-LGL-2: the rights of an 18+ student are the student's own, so only a notice reaching the student starts the
    # hold; a notice to a parent alone is kept as an attempt. The hold counts from the first notice that qualifies.
    adult = age_on(student.date_of_birth, sent_at.date()) >= 18
    starts_hold = not adult or any(
        u.role == "student" and student.id in (u.student_ids or [])
        for u in people.users_by_ids(session, set(notified)).values())
    order.parent_notice = {"sent_at": sent_at.isoformat(), "method": method, "notified": notified,
                           "recorded_by": caller.id, "starts_hold": starts_hold}
    if starts_hold and order.parent_notice_sent_at is None:
        order.parent_notice_sent_at = sent_at
    session.flush()
    append(session, "legal_order.recorded", actor_id=caller.id, student_id=order.student_id,
           data={"legal_order_id": order.id, "parent_notice_sent_at": sent_at.isoformat(), "notified": notified,
                 "starts_hold": starts_hold})
    return order
