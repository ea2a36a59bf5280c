"""SQL for consents, emergencies, legal orders and reports. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.artifacts import Consent, Emergency, LegalOrder, Report
from app.db.models import Student
from app.domain import walled
from app.domain.access import DistrictScope


def consents_of(session: Session, student_id: str) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.student_id == student_id).order_by(Consent.created_at)))


def consents_by_ids(session: Session, ids: list[str]) -> list[Consent]:
    if not ids:
        return []
    found = {c.id: c for c in session.scalars(select(Consent).where(Consent.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def emergencies_for_student(session: Session, district_id: str, student_id: str) -> list[Emergency]:
    rows = session.scalars(select(Emergency).where(Emergency.district_id == district_id)).all()
    return [e for e in rows if student_id in (e.body.get("student_ids") or [])]


def reports_of(session: Session, student_id: str) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.student_id == student_id).order_by(Report.created_at)))


def get_emergency(session: Session, emergency_id: str) -> Emergency | None:
    return session.get(Emergency, emergency_id)


def get_order(session: Session, order_id: str) -> LegalOrder | None:
    return session.get(LegalOrder, order_id)


def get_report(session: Session, report_id: str) -> Report | None:
    return session.get(Report, report_id)


# The district wall: artifacts of another district are None, like missing ones. Consents and orders belong to the
# district of their student, emergencies to the district they were declared in.
def consent_in(session: Session, scope: DistrictScope, consent_id: str) -> Consent | None:
    consent = session.get(Consent, consent_id)
    return consent if consent is not None and _student_admitted(session, scope, consent.student_id) else None


def order_in(session: Session, scope: DistrictScope, order_id: str) -> LegalOrder | None:
    order = session.get(LegalOrder, order_id)
    return order if order is not None and _student_admitted(session, scope, order.student_id) else None


def emergency_in(session: Session, scope: DistrictScope, emergency_id: str) -> Emergency | None:
    return walled.get_in(session, scope, Emergency, emergency_id)


def _student_admitted(session: Session, scope: DistrictScope, student_id: str) -> bool:
    if scope.everywhere:
        return True
    student = session.get(Student, student_id)
    return student is not None and scope.admits(student.district_id)
