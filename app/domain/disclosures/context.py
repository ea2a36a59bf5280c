"""Loads everything a decision reads and turns it into policy facts (ARCHITECTURE.md request flow, step 2).

A student of another district and a student that does not exist look the same: no StudentFacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.db.artifacts import Emergency
from app.db.models import District, Incident, Student, User
from app.domain import access
from app.domain import facts_builder as fb
from app.domain.disclosures import repository as requests_repo
from app.domain.disclosures.config_version import config_version, district_config
from app.domain.disclosures.gate import Gate
from app.domain.disclosures.schemas import DisclosureRequestIn
from app.domain.districts import repository as people
from app.domain.legal_bases import repository as artifacts
from app.domain.principals import principal_of
from app.domain.rows import DistrictRow, EmergencyRow, StudentRow
from app.policy.facts import DecisionContext, EmergencyFacts, RequestFacts


@dataclass(frozen=True)
class Loaded:
    context: DecisionContext
    student: StudentRow | None
    district: DistrictRow | None
    requester: User | None
    recipient: User | None
    config_version: str


def _same_district(row_district: str | None, district: DistrictRow | None) -> bool:
    return district is not None and row_district == district.id


def load(session: Session, gate: Gate, caller: Principal, body: DisclosureRequestIn, now: datetime) -> Loaded:
    caller_row, requester, recipient = _parties(session, caller, body)
    users = {u.id: u for u in (caller_row, requester, recipient) if u is not None}
    parties = {user_id: fb.party(u) for user_id, u in users.items()}
    found = _student_of_caller(session, caller, body)
    student: StudentRow | None
    district: DistrictRow | None
    emergency: EmergencyRow | None
    if found is not None:
        student, district, emergency = found
        student_facts = fb.student_facts(student, gate.records(session).field_names(student.id), [])
    else:  # unknown or out of scope: the caller's district, and the cited declaration for the record
        student, student_facts = None, None
        district_id = caller.district_id or people.only_district_id(session)
        district = session.get(District, district_id) if district_id else None
        emergency = artifacts.get_emergency(session, body.emergency_id) if body.emergency_id else None
    district_facts = fb.district_facts(district) if district else None
    emergency_facts = fb.emergency_facts(emergency) if emergency else None
    incident = session.get(Incident, body.incident_id) if body.incident_id else None
    if incident is not None and not _same_district(incident.district_id, district):
        incident = None
    if emergency is not None and not _same_district(emergency.district_id, district):
        emergency, emergency_facts = None, None
    order = artifacts.get_order(session, body.legal_order_id) if body.legal_order_id else None
    report = artifacts.get_report(session, body.report_id) if body.report_id else None
    consents = artifacts.consents_by_ids(session, body.all_consent_ids())
    if student is None:
        order, report, consents = None, None, []
    else:
        order = order if order and order.student_id == student.id else None
        report = report if report and report.student_id == student.id else None
        consents = [c for c in consents if c.student_id == student.id]
    reads_reports = student is not None and gate.policy.reads_student_reports(body.purpose, body.fields)
    reports_on_file = artifacts.reports_of(session, student.id) if student and reads_reports else []
    filers = people.users_by_ids(session, {r.filed_by for r in [*reports_on_file, *([report] if report else [])]})
    filer_roles = {u.id: u.role for u in filers.values()}
    # A finding signed by a principal counts only for the schools that principal serves (R-37L-G (d), R-APR-4).
    school_id = student.school_id if student else None
    filers_of_school = {u.id for u in filers.values() if access.serves_school(principal_of(u), school_id)}
    reuse = requests_repo.get_in(session, access.scope_of(caller), body.reuse_of) if body.reuse_of else None
    request = RequestFacts(
        purpose=body.purpose, fields=tuple(body.fields), caller=parties[caller_row.id],
        requester=parties[requester.id] if requester else None,
        recipient=parties[recipient.id] if recipient else None,
        destination=body.destination, channel=body.channel, identified_by=body.identified_by, case_id=body.case_id,
        population=body.population if body.student_id is None else None,
        incident=fb.incident_facts(incident) if incident else None, incident_id_given=body.incident_id is not None,
        emergency=emergency_facts,
        emergency_id_given=body.emergency_id is not None,
        consents=tuple(fb.consent_facts(c) for c in consents), consent_id_given=bool(body.all_consent_ids()),
        legal_order=fb.order_facts(order) if order else None, legal_order_id_given=body.legal_order_id is not None,
        report=fb.report_facts(report, filer_roles.get(report.filed_by, ""), report.filed_by in filers_of_school)
        if report else None,
        report_id_given=body.report_id is not None,
        reuse_of_purpose=reuse.purpose if reuse else None,
        reuse_of_restrictions=tuple(reuse.use_restrictions or []) if reuse else (),
        services_notice_on_file=any(r.kind == "SERVICES_NOTICE" for r in reports_on_file),
        student_emergencies=_declared_emergencies(session, body, district, student),
        student_reports=tuple(fb.report_facts(r, filer_roles.get(r.filed_by, ""), r.filed_by in filers_of_school)
                              for r in reports_on_file),
    )
    context = DecisionContext(now=now, district=district_facts, student=student_facts, request=request)
    return Loaded(context, student, district, requester, recipient,
                  config_version(district_config(district) if district else None, student,
                                 [u for u in (requester, recipient) if u is not None]))


def _parties(session: Session, caller: Principal, body: DisclosureRequestIn) -> tuple[User, User | None, User | None]:
    """The rows of the caller, the requester and the recipient, usually one user: each is read once, and the
    caller's row kept by authentication is reused."""
    kept = session.info.get("caller_row")
    rows: dict[str, User | None] = {kept.id: kept} if isinstance(kept, User) else {}

    def row(user_id: str) -> User | None:
        if user_id not in rows:
            rows[user_id] = people.party_in(session, access.scope_of(caller), user_id)  # the district wall
        return rows[user_id]

    caller_row = row(caller.id)
    assert caller_row is not None  # authenticated callers exist
    requester = row(body.requester) if body.requester else caller_row
    recipient_id = body.recipient or (requester.id if requester else body.requester)
    recipient = row(recipient_id) if recipient_id else None
    if body.recipient and recipient is None:
        requester = None  # R-GATE-1: an unknown recipient decides nothing (the engine then withholds every field)
    return caller_row, requester, recipient


def _student_of_caller(session: Session, caller: Principal,
                       body: DisclosureRequestIn) -> tuple[Student, District, Emergency | None] | None:
    """The student with their district and cited declaration; None when the student is unknown or out of the
    caller's scope (the caller then loads the district and declaration on their own)."""
    if body.student_id is None:
        return None
    found = requests_repo.student_with_district(session, body.student_id, body.emergency_id)
    if found is None or not access.scope_of(caller).admits(found[0].district_id):
        return None
    return found


def _declared_emergencies(session: Session, body: DisclosureRequestIn, district: DistrictRow | None,
                          student: StudentRow | None) -> tuple[EmergencyFacts, ...]:
    """Declarations for the student, read only where the engine looks for one: an EMERGENCY request that cites
    no declaration (R-EMG-7)."""
    if body.purpose != "EMERGENCY" or body.emergency_id is not None or student is None or district is None:
        return ()
    return tuple(fb.emergency_facts(e) for e in artifacts.emergencies_for_student(session, district.id, student.id))
