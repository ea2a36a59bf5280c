"""Legal-basis artifact bodies (API.md section 6). Structure is checked here (422); legal sufficiency is judged by
the policy package and stored as valid/invalid_reasons."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, StrictBool

from app.domain.common import AwareDatetime, Body, FieldName, Id, Ref, Text


class ConsentIn(Body):
    signed_by: Id
    signer_relationship: Text
    signed_on: date
    written: StrictBool
    authenticated: StrictBool
    informed: StrictBool = True
    language: Text
    form_sha256: Text | None = None
    fields: list[FieldName] = Field(max_length=500)
    categories_37l: list[Text] = Field(default_factory=list)
    purpose: Text
    purpose_text: Text | None = None
    recipients: list[Ref] = Field(min_length=1, max_length=500)
    expires_on: date | None = None


class RevokeIn(Body):
    revoked_on: date | AwareDatetime | None = None
    reason: Text | None = None
    revoked_by: Id | None = None


class EmergencyIn(Body):
    school_id: Id
    student_ids: list[Id] = Field(min_length=1, max_length=500)
    threat: Text
    significance: Text
    imminence: Text
    persons_at_risk: Text
    starts_at: AwareDatetime | None = None
    review_at: AwareDatetime | None = None
    recipients: list[Ref] = Field(min_length=1, max_length=500)
    necessary_fields: dict[FieldName, Text]
    recipient_fields: dict[Ref, list[FieldName]] = Field(default_factory=dict)


class RenewIn(Body):
    threat: Text
    significance: Text
    imminence: Text
    persons_at_risk: Text
    review_at: AwareDatetime | None = None


class RecipientsIn(Body):
    recipients: list[Ref] = Field(min_length=1, max_length=500)
    recipient_fields: dict[Ref, list[FieldName]] = Field(default_factory=dict)
    necessary_fields: dict[FieldName, Text] = Field(default_factory=dict)


class LegalOrderIn(Body):
    kind: Text
    student_id: Id
    issuer: Text
    case: Text | None = None
    issued_on: date | None = None
    fields: list[FieldName] = Field(max_length=500)
    categories_37l: list[Text] = Field(default_factory=list)
    recipient: Id
    non_disclosure_order: StrictBool = False
    compels_gang_database: StrictBool = False


class NoteIn(Body):
    note: Text | None = None


class RejectIn(Body):
    reason: Text | None = None


class ParentNoticeIn(Body):
    sent_at: AwareDatetime
    method: Text | None = None
    notified: list[Id] = Field(default_factory=list)


class ReportIn(Body):
    kind: Text
    student_id: Id
    incident_id: Id | None = None
    filed_by: Id
    recipient: Id | None = None
    fields: list[FieldName] = Field(default_factory=list, max_length=500)
    duty: Text | None = None
    duty_holder: Text | None = None
    justifications: dict[FieldName, Text] = Field(default_factory=dict)
    memo_field: FieldName | None = None
    notified: list[Id] = Field(default_factory=list)
    notified_at: datetime | None = None
    method: Text | None = None
    not_possible_reason: Text | None = None
