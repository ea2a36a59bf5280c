"""SQL for student records and incidents, behind the district wall. Never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Incident, Student, StudentField
from app.domain.access import DistrictScope


def student_in(session: Session, scope: DistrictScope, student_id: str) -> Student | None:
    """The student, if the scope admits its district; None for a missing one and one behind the wall alike."""
    student = session.get(Student, student_id)
    return student if student is not None and scope.admits(student.district_id) else None


def incident_in(session: Session, scope: DistrictScope, incident_id: str) -> Incident | None:
    incident = session.get(Incident, incident_id)
    return incident if incident is not None and scope.admits(incident.district_id) else None


def fields_of(session: Session, student: Student) -> Sequence[StudentField]:
    """The record's fields (values included: only the admin's GET of the record and the record store read them)."""
    return session.scalars(select(StudentField).where(StudentField.student_id == student.id)).all()
