"""SQL for disclosure requests. Never commits."""

from __future__ import annotations

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from app.db.artifacts import DecisionRecord, DisclosureNamedStudent, DisclosureRequest, Emergency
from app.db.models import District, Student
from app.domain import walled
from app.domain.access import DistrictScope


def get_in(session: Session, scope: DistrictScope, request_id: str) -> DisclosureRequest | None:
    return walled.get_in(session, scope, DisclosureRequest, request_id)


def student_with_district(session: Session, student_id: str,
                          emergency_id: str | None) -> tuple[Student, District, Emergency | None] | None:
    """The gate's first read: the student, their district and the cited declaration (None when none is cited or
    the id does not exist), in one round trip. The caller checks the district wall."""
    cited = Emergency.id == emergency_id if emergency_id is not None else false()
    found = session.execute(select(Student, District, Emergency).join(District, District.id == Student.district_id)
                            .outerjoin(Emergency, cited).where(Student.id == student_id)).one_or_none()
    return None if found is None else (found[0], found[1], found[2])


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
    student's district: a request of another district is never in this record. Two index lookups: the student's
    own requests by (district_id, student_id), the naming ones through disclosure_named_students."""
    own = list(session.scalars(select(DisclosureRequest).where(
        DisclosureRequest.district_id == district_id, DisclosureRequest.student_id == student_id,
        DisclosureRequest.in_record.is_(True))))
    named = session.scalars(select(DisclosureRequest).join(
        DisclosureNamedStudent, DisclosureNamedStudent.request_id == DisclosureRequest.id).where(
        DisclosureNamedStudent.district_id == district_id, DisclosureNamedStudent.student_id == student_id,
        DisclosureRequest.district_id == district_id, DisclosureRequest.in_record.is_(True),
        DisclosureRequest.student_id != student_id)).all()
    return sorted([*own, *named], key=lambda r: (r.created_at, r.id))


def set_named_students(row: DisclosureRequest, student_ids: list[str]) -> None:
    """The other students the request's released records name, as the JSON list the record shows and as rows of
    disclosure_named_students (of the request's district) that for_student_record looks up."""
    if row.named_student_ids == student_ids:  # unchanged (a first release naming nobody): nothing is written
        return
    row.named_student_ids = student_ids
    district_id = row.district_id
    row.named_students = [DisclosureNamedStudent(student_id=sid, district_id=district_id)
                          for sid in student_ids] if district_id is not None else []


def add_decision_record(session: Session, record: DecisionRecord) -> None:
    session.add(record)


def decision_records(session: Session, request_id: str) -> list[DecisionRecord]:
    """The decisions made for a request, in the order they were made."""
    return list(session.scalars(select(DecisionRecord).where(DecisionRecord.request_id == request_id)
                                .order_by(DecisionRecord.id)))
