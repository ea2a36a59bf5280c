"""SQL for disclosure requests. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.artifacts import DisclosureRequest
from app.domain import walled
from app.domain.access import DistrictScope


def get(session: Session, request_id: str) -> DisclosureRequest | None:
    return session.get(DisclosureRequest, request_id)


def get_in(session: Session, scope: DistrictScope, request_id: str) -> DisclosureRequest | None:
    return walled.get_in(session, scope, DisclosureRequest, request_id)


def pending_in_district(session: Session, district_id: str | None, school_id: str | None,
                        status: str | None, after: str | None, limit: int) -> list[DisclosureRequest]:
    query = select(DisclosureRequest).where(DisclosureRequest.in_record.is_(True))
    if district_id is not None:
        query = query.where(DisclosureRequest.district_id == district_id)
    if school_id is not None:
        query = query.where(DisclosureRequest.school_id == school_id)
    if status is not None:
        query = query.where(DisclosureRequest.decision == status)
    if after is not None:
        query = query.where(DisclosureRequest.id > after)
    return list(session.scalars(query.order_by(DisclosureRequest.id).limit(limit)))


def for_student_record(session: Session, district_id: str, student_id: str) -> list[DisclosureRequest]:
    """Requests about the student, plus requests that released a record naming the student (R-REC-9), all of the
    student's district: a request of another district is never in this record."""
    own = list(session.scalars(select(DisclosureRequest).where(
        DisclosureRequest.student_id == student_id, DisclosureRequest.in_record.is_(True),
        DisclosureRequest.district_id == district_id)))
    others = session.scalars(select(DisclosureRequest).where(
        DisclosureRequest.in_record.is_(True), DisclosureRequest.student_id != student_id,
        DisclosureRequest.district_id == district_id)).all()
    named = [r for r in others if student_id in (r.named_student_ids or [])]
    return sorted([*own, *named], key=lambda r: (r.created_at, r.id))
