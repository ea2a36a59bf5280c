"""SQL for student records and incidents, behind the district wall. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Incident, Student, StudentField
from app.domain import walled
from app.domain.access import DistrictScope


def student_in(session: Session, scope: DistrictScope, student_id: str) -> Student | None:
    return walled.get_in(session, scope, Student, student_id)


def incident_in(session: Session, scope: DistrictScope, incident_id: str) -> Incident | None:
    return walled.get_in(session, scope, Incident, incident_id)


def fields_of(session: Session, student: Student) -> Sequence[StudentField]:
    """The record's fields (values included: only the admin's GET of the record and the record store read them)."""
    return session.scalars(select(StudentField).where(StudentField.student_id == student.id)).all()
