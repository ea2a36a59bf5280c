"""Turns stored rows into the policy package's plain facts (app/policy/facts.py). No decisions here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.db.artifacts import Consent, LegalOrder, Report
from app.db.models import Incident, User
from app.domain.rows import DistrictRow, EmergencyRow, StudentRow
from app.policy.facts import (
    AnnualNotice,
    ConsentFacts,
    DistrictFacts,
    EmergencyFacts,
    IncidentFacts,
    LawEnforcementUnit,
    LegalOrderFacts,
    ParentLink,
    Party,
    ReportFacts,
    StudentFacts,
)


def _d(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def party(user: User) -> Party:
    return Party(
        id=user.id, role=user.role, agency_type=user.agency_type, name=user.name, title=user.title,
        affiliation=user.affiliation, school_ids=frozenset(user.school_ids or []),
        sro_certified_until=user.sro_certified_until, mou_contact=bool(user.mou_contact),
        declared_relationships=frozenset(user.declared_relationships or []),
        student_ids=frozenset(user.student_ids or []),
    )


def district_facts(d: DistrictRow) -> DistrictFacts:
    notices = tuple(
        AnnualNotice(
            school_year=n["school_year"], starts_on=_req_date(n["starts_on"]), ends_on=_req_date(n["ends_on"]),
            issued_on=_req_date(n["issued_on"]), names_sros=bool(n["names_sros"]),
            names_pd_contacts=bool(n.get("names_pd_contacts")), sro_purposes=frozenset(n["sro_purposes"]),
            directory_fields=frozenset(n["directory_fields"]),
            directory_opt_out_closes_on=_req_date(n["directory_opt_out_closes_on"]),
            directory_recipients=(frozenset(n["directory_recipients"])
                                  if n.get("directory_recipients") is not None else None),
        ) for n in d.annual_notifications or [])
    settings = d.settings or {}
    return DistrictFacts(
        id=d.id, timezone=d.timezone, mou_signed_on=d.mou_signed_on, mou_withdrawn_on=d.mou_withdrawn_on,
        notices=notices, home_language_duty=frozenset(d.home_language_duty or []),
        law_enforcement_units=tuple(LawEnforcementUnit(u["id"], u["name"], u.get("supervisor"))
                                    for u in d.law_enforcement_units or []),
        holidays=frozenset(_req_date(h) for h in (d.calendar or {}).get("holidays", [])),
        emergency_review_hours=int(settings.get("emergency_review_hours", 4)),
        legal_notice_hold_school_days=int(settings.get("legal_notice_hold_school_days", 5)),
        redisclosure_notice_version=str(settings.get("redisclosure_notice_version", "")),
        consent_default_lapse=str(settings.get("consent_default_lapse", "end_of_school_year")),
        weapon_report_ferpa_basis=settings.get("weapon_report_ferpa_basis"),
    )


def _req_date(value: Any) -> date:
    parsed = _d(value)
    if parsed is None:
        raise ValueError("missing date in stored configuration")
    return parsed


def student_facts(s: StudentRow, field_sources: dict[str, str], parents: list[User]) -> StudentFacts:
    links: list[ParentLink] = []
    for user in parents:
        if user.role != "parent":
            continue
        child = next((c for c in user.children or [] if c.get("student_id") == s.id), None)
        links.append(ParentLink(user.id, (child or {}).get("relationship", "parent"),
                                bool((child or {}).get("rights_limited", False))))
    return StudentFacts(
        id=s.id, school_id=s.school_id, date_of_birth=s.date_of_birth, grade_level=s.grade_level,
        enrolled=s.enrolled, left_on=s.left_on, home_language=s.home_language,
        directory_opt_out=frozenset(s.directory_opt_out or []), field_names=frozenset(field_sources),
        field_sources=dict(field_sources), parents=tuple(links),
    )


def incident_facts(i: Incident) -> IncidentFacts:
    return IncidentFacts(id=i.id, school_id=i.school_id, occurred_at=i.occurred_at, classification=i.classification,
                         students={s["student_id"]: s["role"] for s in i.students or []},
                         reporting_duties=tuple(i.reporting_duties or []))


def consent_facts(c: Consent) -> ConsentFacts:
    b = c.body
    return ConsentFacts(
        id=c.id, student_id=c.student_id, signed_by=b["signed_by"], signer_relationship=b["signer_relationship"],
        signed_on=_req_date(b["signed_on"]), written=b["written"], authenticated=b["authenticated"],
        informed=b.get("informed", True), language=b["language"], fields=frozenset(b["fields"]),
        categories_37l=frozenset(b.get("categories_37l") or []), purpose=b["purpose"],
        recipients=frozenset(b["recipients"]), expires_on=_d(b.get("expires_on")), valid=c.valid,
        invalid_reasons=tuple(c.invalid_reasons or []), revoked_at=c.revoked_at, created_at=c.created_at,
    )


def emergency_facts(e: EmergencyRow) -> EmergencyFacts:
    b = e.body
    return EmergencyFacts(
        id=e.id, school_id=e.school_id, student_ids=frozenset(b["student_ids"]), threat=b["threat"],
        imminence=b["imminence"], starts_at=e.starts_at, review_at=e.review_at, ended_at=e.ended_at,
        recipients=frozenset(b["recipients"]), necessary_fields=dict(b["necessary_fields"]),
        recipient_fields={k: frozenset(v) for k, v in (b.get("recipient_fields") or {}).items()},
        declared_by=e.declared_by, renewed_at=_dt(b.get("renewed_at")),
    )


def order_facts(o: LegalOrder) -> LegalOrderFacts:
    b = o.body
    return LegalOrderFacts(
        id=o.id, kind=o.kind, student_id=o.student_id, fields=frozenset(b["fields"]),
        categories_37l=frozenset(b.get("categories_37l") or []), recipient=b["recipient"],
        non_disclosure_order=bool(b.get("non_disclosure_order")), valid=o.valid,
        invalid_reasons=tuple(o.invalid_reasons or []), status=o.status, validated_by=o.validated_by,
        validated_at=o.validated_at, parent_notice_sent_at=o.parent_notice_sent_at,
    )


def report_facts(r: Report, filed_by_role: str, filer_serves_school: bool = True) -> ReportFacts:
    b = r.body
    return ReportFacts(
        id=r.id, kind=r.kind, student_id=r.student_id, incident_id=b.get("incident_id"), filed_by=r.filed_by,
        filed_by_role=filed_by_role, recipient=b.get("recipient"), fields=frozenset(b.get("fields") or []),
        duty=b.get("duty"), duty_holder=b.get("duty_holder"), justifications=dict(b.get("justifications") or {}),
        memo_field=b.get("memo_field"), created_at=r.created_at, filer_serves_school=filer_serves_school,
    )
