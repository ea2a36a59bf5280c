"""Student records and incidents (API.md section 5). Loads are audited with field names only.

The district wall: a school of another district is the `422` "unknown school" of a missing one, so no student or
incident is loaded into another district; a student or incident id another district holds is `404` to a PUT (it may
be neither moved nor rewritten) and to the admin's GET, exactly like a missing student.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import clock
from app.audit.service import append
from app.auth.principal import Principal
from app.db.models import Incident, Student, StudentField
from app.db.upsert import get_or_add, get_or_insert
from app.domain import access, walled
from app.domain.districts import repository as places
from app.domain.students import repository as repo
from app.domain.students.schemas import IncidentIn, StudentIn
from app.errors import NotFound, Unprocessable
from app.policy.vocabulary import Vocabulary


def put_student(session: Session, actor: Principal, student_id: str, body: StudentIn,
                vocab: Vocabulary) -> tuple[Student, bool]:
    scope = access.scope_of(actor)
    school = places.school_in(session, scope, body.school_id)
    if school is None:
        raise Unprocessable.at(["school_id"], "unknown school")
    walled.refuse_behind_wall(session, scope, Student, student_id, "student")
    for name, source in body.field_sources.items():
        if not vocab.has("field_sources", source):
            raise Unprocessable.at(["field_sources", name], "unknown field source")
    fields = dict(body.fields)
    if body.name is not None:
        fields.setdefault("name", body.name)
    columns = {"district_id": school.district_id, "school_id": body.school_id, "date_of_birth": body.date_of_birth,
               "grade_level": body.grade_level, "enrolled": body.enrolled, "left_on": body.left_on,
               "home_language": body.home_language, "directory_opt_out": list(body.directory_opt_out),
               "updated_at": clock.now()}
    # Concurrent PUTs creating one student: one inserts (201), the others update its row (200).
    student, created = get_or_insert(session, Student, student_id, **columns)
    opted_out_before = set() if created else set(student.directory_opt_out or [])
    for column, value in columns.items():
        setattr(student, column, value)
    session.flush()
    before = {f.name: (f.value, f.source) for f in session.scalars(
        select(StudentField).where(StudentField.student_id == student_id))}
    session.execute(delete(StudentField).where(StudentField.student_id == student_id))
    session.add_all(StudentField(student_id=student_id, name=name, value=value,
                                 source=body.field_sources.get(name, "staff")) for name, value in fields.items())
    session.flush()
    after = {name: (value, body.field_sources.get(name, "staff")) for name, value in fields.items()}
    append(session, "record.loaded", actor_id=actor.id, student_id=student_id, data={
        "created": created,
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(n for n in set(after) & set(before) if after[n] != before[n]),
    })
    opted_out = set(student.directory_opt_out)
    if opted_out != opted_out_before:  # R-AUD-3: an opt-out is a configuration change (field names only)
        append(session, "config.changed", actor_id=actor.id, student_id=student_id, data={
            "entity": "directory_opt_out", "id": student_id, "created": created,
            "added": sorted(opted_out - opted_out_before), "removed": sorted(opted_out_before - opted_out)})
    return student, created


def get_student(session: Session, caller: Principal, student_id: str) -> dict[str, Any]:
    student = repo.student_in(session, access.scope_of(caller), student_id)
    if student is None:
        raise NotFound("No such student.")
    rows = repo.fields_of(session, student)
    return {
        "id": student.id, "district_id": student.district_id, "school_id": student.school_id,
        "date_of_birth": student.date_of_birth.isoformat(), "grade_level": student.grade_level,
        "enrolled": student.enrolled, "left_on": student.left_on.isoformat() if student.left_on else None,
        "home_language": student.home_language, "directory_opt_out": student.directory_opt_out,
        "fields": {r.name: r.value for r in rows},
        "field_sources": {r.name: r.source for r in rows if r.source != "staff"},
    }


def put_incident(session: Session, actor: Principal, incident_id: str, body: IncidentIn,
                 vocab: Vocabulary) -> tuple[Incident, bool]:
    scope = access.scope_of(actor)
    school = places.school_in(session, scope, body.school_id)
    if school is None:
        raise Unprocessable.at(["school_id"], "unknown school")
    walled.refuse_behind_wall(session, scope, Incident, incident_id, "incident")
    if not vocab.has("incident_classifications", body.classification):
        raise Unprocessable.at(["classification"], "unknown classification")
    for i, entry in enumerate(body.students):
        if not vocab.has("incident_student_roles", entry.role):
            raise Unprocessable.at(["students", i, "role"], "unknown student role")
    for i, duty in enumerate(body.reporting_duties):
        if not (vocab.has("reporting_duties", duty) or duty.startswith("OTHER:")):
            raise Unprocessable.at(["reporting_duties", i], "unknown reporting duty")
    incident, created = get_or_add(session, Incident, incident_id)
    incident.district_id = school.district_id
    incident.school_id = body.school_id
    incident.occurred_at = body.occurred_at
    incident.classification = body.classification
    incident.students = [s.model_dump() for s in body.students]
    incident.reporting_duties = list(body.reporting_duties)
    incident.summary = body.summary
    session.flush()
    append(session, "config.changed", actor_id=actor.id, district_id=school.district_id,
           data={"entity": "incident", "id": incident_id, "created": created,
                 "students": [s.student_id for s in body.students]})
    return incident, created
