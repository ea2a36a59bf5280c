"""Disclosure request bodies (API.md section 7)."""

from __future__ import annotations

from pydantic import Field, model_validator

from app.domain.common import Body, FieldName, Id, Ref, Text

MAX_FIELDS = 500


class DisclosureRequestIn(Body):
    student_id: Id | None
    purpose: Text
    fields: list[FieldName] = Field(min_length=1, max_length=MAX_FIELDS)
    population: Text | None = None
    school_id: Id | None = None
    incident_id: Id | None = None
    emergency_id: Ref | None = None
    consent_id: Ref | None = None
    consent_ids: list[Ref] = Field(default_factory=list, max_length=50)
    legal_order_id: Ref | None = None
    report_id: Ref | None = None
    case_id: Ref | None = None
    reuse_of: Ref | None = None
    requester: Id | None = None
    recipient: Id | None = None
    destination: Text | None = None
    channel: Text = "api"
    identified_by: Text = "name"
    justification: Text | None = None

    @model_validator(mode="after")
    def _merge_consents(self) -> DisclosureRequestIn:
        # consent_id is shorthand for a one-item consent_ids (API.md section 7).
        if self.consent_id and self.consent_id not in self.consent_ids:
            self.consent_ids = [self.consent_id, *self.consent_ids]
        return self

    def all_consent_ids(self) -> list[str]:
        return list(dict.fromkeys(self.consent_ids))


class ApproveIn(Body):
    fields: list[FieldName] | None = Field(default=None, max_length=MAX_FIELDS)
    note: Text | None = None


class DenyIn(Body):
    reason: Text | None = None


class ReplayIn(Body):
    """Replay under this policy version (as GET /api/v1/policy names it) instead of the current one."""

    policy_version: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")
