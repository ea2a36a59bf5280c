"""Tables of the legal-basis artifacts (API.md section 6) and the disclosure requests (section 7).

Artifacts keep their validated request body as JSON (ids and field names, never record values) beside the columns the
service filters on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, JSONType, UTCDateTime


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.id"), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    valid: Mapped[bool] = mapped_column(Boolean)
    invalid_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoke_reason: Mapped[str | None] = mapped_column(Text)


class Emergency(Base):
    __tablename__ = "emergencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    district_id: Mapped[str] = mapped_column(ForeignKey("districts.id"), index=True)
    school_id: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    declared_by: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LegalOrder(Base):
    __tablename__ = "legal_orders"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    student_id: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    valid: Mapped[bool] = mapped_column(Boolean)
    invalid_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(20))  # received, validated, rejected
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    validated_by: Mapped[str | None] = mapped_column(String(200))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    parent_notice: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    parent_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    student_id: Mapped[str] = mapped_column(String(200), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    filed_by: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureRequest(Base):
    """A request and its current per-field decisions. Values are never stored here: `released` payloads are
    rebuilt from the record store for the requester and recipient, and audited as data.read."""

    __tablename__ = "disclosure_requests"
    # The student's own requests in the record of disclosures, and a district's approval queue (a decision's
    # requests in id order): one index lookup each (repository.for_student_record, pending_in_district).
    __table_args__ = (Index("ix_disclosure_requests_district_id_student_id", "district_id", "student_id"),
                      Index("ix_disclosure_requests_district_id_decision_id", "district_id", "decision", "id"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    district_id: Mapped[str | None] = mapped_column(String(200), index=True)
    student_id: Mapped[str | None] = mapped_column(String(200), index=True)
    school_id: Mapped[str | None] = mapped_column(String(200), index=True)
    caller_id: Mapped[str] = mapped_column(String(200))
    requester_id: Mapped[str] = mapped_column(String(200), index=True)
    recipient_id: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(60))
    body: Mapped[dict[str, Any]] = mapped_column(JSONType)
    decision: Mapped[str] = mapped_column(String(30), index=True)
    # Each: the engine's FieldDecision JSON, plus approval bookkeeping (approved_by groups).
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    use_restrictions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    notice_version: Mapped[str | None] = mapped_column(String(60))
    approvals: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    released_by: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    in_record: Mapped[bool] = mapped_column(Boolean, default=True)
    # Other students whose record of disclosures lists this request (an unmasked multi-student record, R-REC-9),
    # as shown in the record's entry; the lookup goes through disclosure_named_students, written beside it.
    named_student_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    named_students: Mapped[list[DisclosureNamedStudent]] = relationship(cascade="all, delete-orphan")
    # The declaration a FERPA_EMERGENCY release relied on (cited, or found for an SRO-initiated request, R-EMG-7):
    # its threat and declaring official go into the record of disclosures (R-EMG-5).
    emergency_used_id: Mapped[str | None] = mapped_column(String(64))
    explanation: Mapped[str] = mapped_column(Text, default="")
    policy_version: Mapped[str] = mapped_column(String(80))
    config_version: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureNamedStudent(Base):
    """One other student a released request names (R-REC-9): the record of disclosures of `student_id` in
    `district_id` finds the request by index, not by reading every request's named_student_ids."""

    __tablename__ = "disclosure_named_students"
    __table_args__ = (Index("ix_disclosure_named_students_district_id_student_id", "district_id", "student_id"),)

    request_id: Mapped[str] = mapped_column(ForeignKey("disclosure_requests.id"), primary_key=True)
    student_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    district_id: Mapped[str] = mapped_column(String(200))


class DecisionRecord(Base):
    """One decision the engine made for a request (at creation, or a re-decision of its waiting fields) with the
    facts it was made on and what it answered, so an auditor can replay it (issue 13, R-AUD). The facts are the
    engine's inputs with every student value taken out (app/policy/snapshot.py); field values never reach them."""

    __tablename__ = "decision_records"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    # Set rather than request_id, so that the flush inserts a new request before its first decision record.
    request: Mapped[DisclosureRequest] = relationship()
    occasion: Mapped[str] = mapped_column(String(30))  # created | redecided | approved
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    policy_version: Mapped[str] = mapped_column(String(80))
    facts: Mapped[dict[str, Any]] = mapped_column(JSONType)
    decision: Mapped[dict[str, Any]] = mapped_column(JSONType)


class PolicyVersion(Base):
    """The content of every policy version the service has loaded, addressed by its sha256 (app/policy/version.py),
    so a decision can be replayed under the version in force when it was made."""

    __tablename__ = "policy_versions"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # the version, "sha256:..."
    files: Mapped[dict[str, str]] = mapped_column(JSONType)  # relative path -> text
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
