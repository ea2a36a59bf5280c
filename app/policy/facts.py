"""Plain, DB-free facts the decision engine reads (RULES.md section 1.6 steps 1-2).

The workflow builds these frozen values from the database; the engine never touches SQLAlchemy. Dates are
`datetime.date`, instants are timezone-aware `datetime.datetime`. The trap: every comparison with "now" must use the
legal clock the caller passes in `DecisionContext.now`, never the system clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Party:
    """A user (requester, recipient, signer) with the role and agency of API.md section 2."""

    id: str
    role: str
    agency_type: str
    name: str | None = None
    title: str | None = None
    affiliation: str | None = None
    school_ids: frozenset[str] = frozenset()
    sro_certified_until: date | None = None
    mou_contact: bool = False
    declared_relationships: frozenset[str] = frozenset()
    # Students a `student` account is linked to (its own record); used by assess_consent for student signers.
    student_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AnnualNotice:
    """One school year's annual notification (R-SO-2, R-DIR-1)."""

    school_year: str
    starts_on: date
    ends_on: date
    issued_on: date
    names_sros: bool
    names_pd_contacts: bool
    sro_purposes: frozenset[str]
    directory_fields: frozenset[str]
    directory_opt_out_closes_on: date
    directory_recipients: frozenset[str] | None = None


@dataclass(frozen=True)
class LawEnforcementUnit:
    id: str
    name: str
    supervisor: str | None = None


@dataclass(frozen=True)
class DistrictFacts:
    """District configuration (API.md section 4)."""

    id: str
    timezone: str
    mou_signed_on: date | None
    mou_withdrawn_on: date | None
    notices: tuple[AnnualNotice, ...]
    home_language_duty: frozenset[str] = frozenset()
    law_enforcement_units: tuple[LawEnforcementUnit, ...] = ()
    holidays: frozenset[date] = frozenset()
    emergency_review_hours: int = 4
    legal_notice_hold_school_days: int = 5
    redisclosure_notice_version: str = ""
    consent_default_lapse: str = "end_of_school_year"
    weapon_report_ferpa_basis: str | None = None


@dataclass(frozen=True)
class ParentLink:
    user_id: str
    relationship: str
    rights_limited: bool = False


@dataclass(frozen=True)
class StudentFacts:
    """A student of the caller's district. `field_names` lists every name the store holds, siblings included."""

    id: str
    school_id: str
    date_of_birth: date
    grade_level: str | None
    enrolled: bool = True
    left_on: date | None = None
    home_language: str | None = None
    directory_opt_out: frozenset[str] = frozenset()
    field_names: frozenset[str] = frozenset()
    field_sources: Mapping[str, str] = field(default_factory=dict)
    parents: tuple[ParentLink, ...] = ()


@dataclass(frozen=True)
class IncidentFacts:
    id: str
    school_id: str
    occurred_at: datetime
    classification: str
    # student_id -> role: aggressor, victim, witness, subject or missing
    students: Mapping[str, str] = field(default_factory=dict)
    reporting_duties: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsentInput:
    """The members of a consent body that decide its validity (API.md section 6)."""

    signed_by: str
    signer_relationship: str
    signed_on: date
    written: bool
    authenticated: bool
    informed: bool
    language: str
    fields: frozenset[str]
    categories_37l: frozenset[str]
    purpose: str
    recipients: frozenset[str]
    expires_on: date | None = None


@dataclass(frozen=True)
class ConsentFacts:
    """A stored consent; `valid`/`invalid_reasons` were computed by assess_consent() when it was recorded."""

    id: str
    student_id: str
    signed_by: str
    signer_relationship: str
    signed_on: date
    written: bool
    authenticated: bool
    informed: bool
    language: str
    fields: frozenset[str]
    categories_37l: frozenset[str]
    purpose: str
    recipients: frozenset[str]
    expires_on: date | None
    valid: bool
    invalid_reasons: tuple[str, ...]
    revoked_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class EmergencyFacts:
    """A declared emergency (R-EMG-1). `review_at` is already capped by the workflow at review hours after the
    declaration or, once renewed (R-EMG-4), after the last renewal (`renewed_at`)."""

    id: str
    school_id: str
    student_ids: frozenset[str]
    threat: str
    imminence: str
    starts_at: datetime
    review_at: datetime
    ended_at: datetime | None
    recipients: frozenset[str]
    necessary_fields: Mapping[str, str]
    recipient_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    declared_by: str = ""
    renewed_at: datetime | None = None


@dataclass(frozen=True)
class LegalOrderFacts:
    """A court order, subpoena or administrative paper (R-LGL-*)."""

    id: str
    kind: str
    student_id: str
    fields: frozenset[str]
    categories_37l: frozenset[str]
    recipient: str
    non_disclosure_order: bool
    valid: bool
    invalid_reasons: tuple[str, ...]
    status: str  # received | validated | rejected
    validated_by: str | None = None
    validated_at: datetime | None = None
    parent_notice_sent_at: datetime | None = None


@dataclass(frozen=True)
class ReportFacts:
    """A statutory report or finding (API.md section 6, "Statutory reports and findings")."""

    id: str
    kind: str
    student_id: str
    incident_id: str | None
    filed_by: str
    filed_by_role: str
    recipient: str | None
    fields: frozenset[str]
    duty: str | None = None
    duty_holder: str | None = None
    justifications: Mapping[str, str] = field(default_factory=dict)
    memo_field: str | None = None
    created_at: datetime | None = None
    filer_serves_school: bool = True  # the filer holds their role for the student's school


@dataclass(frozen=True)
class RequestFacts:
    """One disclosure request with every artifact it cites, already loaded.

    `requester` is None when the body named an unknown user; `emergency`, `legal_order` are None when the cited id
    does not exist (then `*_id_given` tells the engine an id was cited). `student_emergencies` are the emergencies
    declared for this student (R-EMG-7 re-decisions); `student_reports` the reports on file for the student
    (clinician flags need not be cited).
    """

    purpose: str
    fields: tuple[str, ...]
    caller: Party
    requester: Party | None
    recipient: Party | None = None
    destination: str | None = None
    channel: str = "api"
    identified_by: str = "name"
    case_id: str | None = None
    population: str | None = None
    incident: IncidentFacts | None = None
    incident_id_given: bool = False
    emergency: EmergencyFacts | None = None
    emergency_id_given: bool = False
    consents: tuple[ConsentFacts, ...] = ()
    consent_id_given: bool = False
    legal_order: LegalOrderFacts | None = None
    legal_order_id_given: bool = False
    report: ReportFacts | None = None
    report_id_given: bool = False
    reuse_of_purpose: str | None = None
    reuse_of_restrictions: tuple[str, ...] = ()
    services_notice_on_file: bool = False
    student_emergencies: tuple[EmergencyFacts, ...] = ()
    student_reports: tuple[ReportFacts, ...] = ()


@dataclass(frozen=True)
class DecisionContext:
    """Everything decide() reads. `student` None means unknown or of another district (never revealed)."""

    now: datetime
    district: DistrictFacts | None
    student: StudentFacts | None
    request: RequestFacts


# Re-exported so callers find every fact-level function beside the facts (defined in validation.py to keep files short).
from app.policy.validation import assess_consent, check_emergency_declaration  # noqa: E402

__all__ = [
    "AnnualNotice",
    "ConsentFacts",
    "ConsentInput",
    "DecisionContext",
    "DistrictFacts",
    "EmergencyFacts",
    "IncidentFacts",
    "LawEnforcementUnit",
    "LegalOrderFacts",
    "ParentLink",
    "Party",
    "ReportFacts",
    "RequestFacts",
    "StudentFacts",
    "assess_consent",
    "check_emergency_declaration",
]
