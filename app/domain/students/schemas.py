"""Student record and incident bodies (API.md section 5)."""

from __future__ import annotations

from datetime import date

from pydantic import Field, StrictBool

from app.domain.common import AwareDatetime, Body, Code, FieldName, Id, Text


class StudentIn(Body):
    school_id: Id
    name: Text | None = None
    date_of_birth: date
    grade_level: Code | None = None
    enrolled: StrictBool = True
    left_on: date | None = None
    home_language: Code | None = None
    directory_opt_out: list[FieldName] = Field(default_factory=list)
    fields: dict[FieldName, Text] = Field(default_factory=dict)
    field_sources: dict[FieldName, Text] = Field(default_factory=dict)


class IncidentStudent(Body):
    student_id: Id
    role: Text


class IncidentIn(Body):
    school_id: Id
    occurred_at: AwareDatetime
    classification: Text
    students: list[IncidentStudent] = Field(default_factory=list)
    reporting_duties: list[Text] = Field(default_factory=list)
    summary: Text | None = None
