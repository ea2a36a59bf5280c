"""Conditions of statutory reports and findings (R-LEI-5, R-37L-X1, R-37L-X5, R-37L-G, R-PRV-1(b), R-GATE-4)."""

from __future__ import annotations

from collections.abc import Iterable

from app.policy.conditions.registry import condition
from app.policy.facts import DistrictFacts, IncidentFacts, Party, ReportFacts
from app.policy.tags import FieldInfo

GERMANE_DUTIES = frozenset({"WEAPON_37L", "REPORT_51A", "HAZING_269_18", "BULLYING_49_06"})


def report_lists_field(report: ReportFacts, info: FieldInfo) -> bool:
    """Part of report_51a_cited and weapon_report_to_chief, which the resolver reports apart (W_NOT_RELEVANT)."""
    return info.base in report.fields


def cited_as_51a(report: ReportFacts, purpose: str) -> bool:
    return report.kind == "REPORT_51A" and purpose == "MANDATED_REPORT_51A"


def cited_as_weapon_report(report: ReportFacts, purpose: str) -> bool:
    return report.kind == "WEAPON_REPORT" and purpose == "WEAPON_REPORT"


@condition
def report_51a_cited(report: ReportFacts, student_id: str, purpose: str, info: FieldInfo) -> bool:
    """A 51A report for the student, cited for MANDATED_REPORT_51A, lists the field (A-11)."""
    return cited_as_51a(report, purpose) and report.student_id == student_id and report_lists_field(report, info)


@condition
def recipient_mandated_reporter(report: ReportFacts, recipient: Party) -> bool:
    """The reporter who filed the 51A report, or DCF."""
    return recipient.id == report.filed_by or recipient.role == "dcf"


def is_weapon_incident(classification: str, reporting_duties: Iterable[str]) -> bool:
    """R-37L-X5: a student's possession or use of a dangerous weapon (the WEAPON class or the section 37L duty)."""
    return classification == "WEAPON" or "WEAPON_37L" in reporting_duties


@condition
def weapon_report_to_chief(report: ReportFacts, purpose: str, info: FieldInfo, incident: IncidentFacts | None,
                           recipient: Party, district: DistrictFacts | None) -> bool:
    """A weapon report cited for WEAPON_REPORT that lists the field; counsel configured the FERPA basis of weapon
    reports (A-10); the cited incident, where it is the report's, is a weapon incident; the superintendent filed it;
    it goes to the chief it names; and the field is not the whole discipline history (R-GATE-4: only the weapon
    incident's entry)."""
    return cited_as_weapon_report(report, purpose) and report_lists_field(report, info) and weapon_report_sent_right(
        report, info, incident, recipient, district)


def weapon_report_sent_right(report: ReportFacts, info: FieldInfo, incident: IncidentFacts | None, recipient: Party,
                             district: DistrictFacts | None) -> bool:
    """weapon_report_to_chief less the citation and the field listing, which the resolver reports apart."""
    ferpa = district.weapon_report_ferpa_basis if district else None
    own_incident = incident is not None and incident.id == report.incident_id
    return (
        ferpa is not None
        and not (own_incident and incident is not None
                 and not is_weapon_incident(incident.classification, incident.reporting_duties))
        and report.filed_by_role == "superintendent"
        and recipient.role == "chief"
        and recipient.id == report.recipient
        and info.base != "discipline_history"
    )


@condition
def weapon_field_not_gang(info: FieldInfo) -> bool:
    """A suspected-gang note is never needed for a weapon report (conservative reading of R-37L-X5)."""
    return "GANG" not in info.tags


@condition
def germane_finding_holds(report: ReportFacts, info: FieldInfo, incident: IncidentFacts | None) -> bool:
    """Every element of R-37L-G: a principal of the student's school filed it for the cited incident, naming a listed
    duty the incident carries, its holder, and a justification for this field."""
    return (
        report.kind == "GERMANE_FINDING"
        and report.filed_by_role == "principal"
        and report.filer_serves_school
        and incident is not None
        and report.incident_id == incident.id
        and report.duty in GERMANE_DUTIES
        and report.duty in incident.reporting_duties
        and bool((report.duty_holder or "").strip())
        and bool((report.justifications.get(info.base) or "").strip())
    )


@condition
def memo_flagged_by_clinician(info: FieldInfo, reports: Iterable[ReportFacts]) -> bool:
    """A memo field, and a CLINICIAN_FLAG filed by a clinician names it (`reports`: those on file for the student
    and the one cited)."""
    return info.memo and any(r.kind == "CLINICIAN_FLAG" and r.filed_by_role == "clinician"
                             and r.memo_field == info.base for r in reports)
