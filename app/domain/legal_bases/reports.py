"""Statutory reports and findings (API.md section 6): who may file each kind, what it must carry."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.audit.service import append
from app.auth.principal import Principal
from app.db.artifacts import Report
from app.domain import access
from app.domain.districts import repository as people
from app.domain.ids import new_id
from app.domain.legal_bases.schemas import ReportIn
from app.domain.legal_bases.service import student_in_scope
from app.domain.students import repository as incidents
from app.errors import Forbidden, Unprocessable
from app.policy.conditions.reports import is_weapon_incident
from app.policy.vocabulary import Vocabulary

# Roles the filer (`filed_by`) must hold, per kind.
FILERS: dict[str, frozenset[str]] = {
    "WEAPON_REPORT": frozenset({"superintendent"}),
    "REPORT_51A": access.SCHOOL_ROLES | {"sro"},
    "GERMANE_FINDING": frozenset({"principal"}),
    "CLINICIAN_FLAG": frozenset({"clinician"}),
    "SERVICES_NOTICE": access.SCHOOL_APPROVERS,
    "IEP_OPPORTUNITY_NOTICE": access.SCHOOL_ROLES,
}



def _check_members(session: Session, body: ReportIn, vocab: Vocabulary, scope: access.DistrictScope) -> None:
    """`scope` is the student's district: an incident of another district is one that was never recorded."""
    kind = body.kind
    if kind == "WEAPON_REPORT" and not body.recipient:
        raise Unprocessable.at(["recipient"], "a weapon report names its recipient (the chief of police)")
    if kind in ("WEAPON_REPORT", "REPORT_51A") and not body.fields:
        raise Unprocessable.at(["fields"], "name the fields the report needs")
    if kind == "WEAPON_REPORT" and body.incident_id:
        incident = incidents.incident_in(session, scope, body.incident_id)
        if incident is not None and not is_weapon_incident(incident.classification, incident.reporting_duties or []):
            # R-37L-X5: only a report of a student's possession or use of a dangerous weapon on school premises.
            raise Unprocessable.at(["incident_id"], "a weapon report links a weapon incident")
    if kind == "GERMANE_FINDING":
        if not body.incident_id or incidents.incident_in(session, scope, body.incident_id) is None:
            raise Unprocessable.at(["incident_id"], "a germane finding links a recorded incident")
        if not body.duty or not body.justifications:
            raise Unprocessable.at(["duty"], "a germane finding names the duty and a justification per field")
        if not (vocab.has("reporting_duties", body.duty) or body.duty.startswith("OTHER:")):
            raise Unprocessable.at(["duty"], "unknown reporting duty")
    if kind == "CLINICIAN_FLAG" and not body.memo_field:
        raise Unprocessable.at(["memo_field"], "a clinician flag names the memo field")
    if kind == "SERVICES_NOTICE" and not (body.notified or body.not_possible_reason):
        raise Unprocessable.at(["notified"], "record who was notified, or why notice was not possible")


def file_report(session: Session, caller: Principal, body: ReportIn, vocab: Vocabulary) -> Report:
    if not vocab.has("report_kinds", body.kind):
        raise Unprocessable.at(["kind"], "unknown report kind")
    if caller.role != "admin" and caller.id != body.filed_by:
        raise Forbidden("Only an admin or the filer named in filed_by may record a report.")
    student = student_in_scope(session, caller, body.student_id)
    scope = access.DistrictScope(student.district_id)
    filer = people.get_user(session, body.filed_by)
    if filer is None or not access.DistrictScope(filer.district_id).admits(student.district_id):
        raise Unprocessable.at(["filed_by"], "unknown user")  # a user of another district, like a missing one
    if filer.role not in FILERS[body.kind]:
        if caller.id == body.filed_by:
            raise Forbidden(f"A {filer.role} may not file a {body.kind}.")
        raise Unprocessable.at(["filed_by"], f"a {filer.role} may not file a {body.kind}")
    _check_members(session, body, vocab, scope)
    report = Report(id=new_id("rpt"), kind=body.kind, student_id=student.id,
                    body=body.model_dump(mode="json", exclude_none=True), filed_by=body.filed_by,
                    recorded_by=caller.id, created_at=clock.now())
    session.add(report)
    session.flush()
    append(session, "report.recorded", actor_id=caller.id, student_id=student.id, data={
        "report_id": report.id, "kind": body.kind, "filed_by": body.filed_by, "fields": sorted(body.fields),
        "justified_fields": sorted(body.justifications), "incident_id": body.incident_id})
    return report


def report_view(r: Report) -> dict[str, Any]:
    return {"id": r.id, **r.body, "created_at": r.created_at.isoformat()}
