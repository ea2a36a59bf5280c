"""Tables of the district configuration, people, student records and incidents (the foundation).

Record values live only in `student_fields.value`; nothing else in the schema holds a student value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, JSONType, UTCDateTime


class District(Base):
    __tablename__ = "districts"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(100))
    mou_signed_on: Mapped[date | None] = mapped_column(Date)
    mou_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    mou_filed_with_dese: Mapped[bool] = mapped_column(Boolean, default=False)
    # Each: school_year, starts_on, ends_on, issued_on, names_sros, names_pd_contacts, sro_purposes,
    # directory_fields, directory_opt_out_closes_on, directory_recipients (API.md section 4).
    annual_notifications: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    home_language_duty: Mapped[list[str]] = mapped_column(JSONType, default=list)
    law_enforcement_units: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    calendar: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class School(Base):
    __tablename__ = "schools"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    district_id: Mapped[str] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    grades: Mapped[list[str]] = mapped_column(JSONType, default=list)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    district_id: Mapped[str | None] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(500))
    affiliation: Mapped[str | None] = mapped_column(String(500))
    agency_type: Mapped[str] = mapped_column(String(40))
    school_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sro_certified_until: Mapped[date | None] = mapped_column(Date)
    mou_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_relationships: Mapped[list[str]] = mapped_column(JSONType, default=list)
    student_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Each: student_id, relationship, rights_limited.
    children: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # Set by POST /users/{id}/disable or a OneRoster import (issue 15): the user is refused on every route at once,
    # whatever token it holds; the row (and so its history) stays. Deferred: only the caller's look-up
    # (app/api/deps.py) and the accounts routes read it, and the audit stamp's user reads then work on any schema.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, deferred=True)


class Student(Base):
    __tablename__ = "students"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    district_id: Mapped[str] = mapped_column(ForeignKey("districts.id"), index=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.id"), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    grade_level: Mapped[str | None] = mapped_column(String(20))
    enrolled: Mapped[bool] = mapped_column(Boolean, default=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    home_language: Mapped[str | None] = mapped_column(String(20))
    directory_opt_out: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StudentField(Base):
    """One record field as name -> value. The only table that holds student values."""

    __tablename__ = "student_fields"

    student_id: Mapped[str] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(500), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40), default="staff")


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    district_id: Mapped[str] = mapped_column(ForeignKey("districts.id"), index=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    classification: Mapped[str] = mapped_column(String(60))
    # Each: student_id, role.
    students: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    reporting_duties: Mapped[list[str]] = mapped_column(JSONType, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
