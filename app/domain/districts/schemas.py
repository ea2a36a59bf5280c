"""District, school and user bodies (API.md section 4)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, StrictBool, field_validator

from app.domain.common import Body, FieldName, Id, Label, Text
from app.domain.users.schemas import IdentityIn


class MouIn(Body):
    signed_on: date
    withdrawn_on: date | None = None
    filed_with_dese: StrictBool = False


class AnnualNotificationIn(Body):
    school_year: Text
    starts_on: date
    ends_on: date
    issued_on: date
    names_sros: StrictBool
    names_pd_contacts: StrictBool = False
    sro_purposes: list[Text]
    directory_fields: list[FieldName]
    directory_opt_out_closes_on: date
    directory_recipients: list[Text] | None = None


class LawEnforcementUnitIn(Body):
    id: Id
    name: Text
    supervisor: Id | None = None


class CalendarIn(Body):
    holidays: list[date] = Field(default_factory=list)


class DistrictSettingsIn(Body):
    redisclosure_notice_version: Text
    emergency_review_hours: int = Field(default=4, ge=1, le=24 * 14)
    legal_notice_hold_school_days: int = Field(default=5, ge=0, le=60)
    small_cell_threshold: int = Field(default=5, ge=1, le=1000)
    consent_default_lapse: Text = "end_of_school_year"
    weapon_report_ferpa_basis: Text | None = None
    # R-REC-3: disclosures of law enforcement unit records are in the parent-visible record only by district policy.
    leu_disclosures_parent_visible: StrictBool = False


class DistrictIn(Body):
    name: Label
    timezone: Text
    mou: MouIn
    annual_notifications: list[AnnualNotificationIn]
    home_language_duty: list[Text] = Field(default_factory=list)
    law_enforcement_units: list[LawEnforcementUnitIn] = Field(default_factory=list)
    calendar: CalendarIn = Field(default_factory=CalendarIn)
    settings: DistrictSettingsIn

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class SchoolIn(Body):
    district_id: Id
    name: Label
    grades: list[Text] = Field(default_factory=list)


class ChildLink(Body):
    student_id: Id
    relationship: Text = "parent"
    rights_limited: StrictBool = False


class UserIn(Body):
    name: Label
    role: Text
    title: Label | None = None
    affiliation: Label | None = None
    agency_type: Text | None = None
    district_id: Id | None = None
    school_ids: list[Id] = Field(default_factory=list)
    sro_certified_until: date | None = None
    mou_contact: StrictBool = False
    declared_relationships: list[Id] = Field(default_factory=list)
    student_ids: list[Id] = Field(default_factory=list)
    children: list[ChildLink] = Field(default_factory=list)
    # The user's external identities (issue 15): left out, they stay as they are; a list replaces them all.
    identities: list[IdentityIn] | None = Field(default=None, max_length=20)


def jsonable(model: Body) -> dict[str, Any]:
    return model.model_dump(mode="json")
