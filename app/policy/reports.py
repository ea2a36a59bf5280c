"""Statutory reports and findings as bases (API.md section 6; R-37L-X1, R-37L-X5, R-37L-G, R-PRV-1(b)).

A 51A report gives the fields it lists on the school-official path (A-11) and lifts section 37L for the mandated
reporter or DCF. A weapon report goes only to the chief it names, signed by the superintendent, on the FERPA basis
counsel configured (A-10). A germane finding lifts section 37L for the fields it justifies when every element of
R-37L-G holds; its FERPA basis is still the school-official path (R-GATE-7). A clinician flag lets only its memo go.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.context import Resolved
from app.policy.facts import ReportFacts
from app.policy.tags import FieldInfo

GERMANE_DUTIES = frozenset({"WEAPON_37L", "REPORT_51A", "HAZING_269_18", "BULLYING_49_06"})


def cited_report(res: Resolved) -> ReportFacts | None:
    report = res.ctx.request.report
    return report if report is not None and report.student_id == res.student.id else None


def resolve_report(res: Resolved, info: FieldInfo) -> Resolution:
    request = res.ctx.request
    memo = _clinician_memo(res, info)
    if memo is not None:
        return memo, []
    report = cited_report(res)
    if report is None:
        return None, ([Missing("W_NO_BASIS", "R-LEI-1")] if request.report_id_given else [])
    if report.kind == "REPORT_51A" and request.purpose == "MANDATED_REPORT_51A":
        return _report_51a(res, info, report)
    if report.kind == "WEAPON_REPORT" and request.purpose == "WEAPON_REPORT":
        return _weapon(res, info, report)
    if report.kind == "GERMANE_FINDING":
        return _germane(res, info, report), []
    return None, []


def _report_51a(res: Resolved, info: FieldInfo, report: ReportFacts) -> Resolution:
    if info.base not in report.fields:
        return None, [Missing("W_NOT_RELEVANT", "R-LEI-5")]
    if res.status != "school_official":
        code = "W_NOT_SCHOOL_OFFICIAL" if res.status == "sro_not_official" else "W_NO_BASIS"
        return None, [Missing(code, res.so_failure or "R-37L-X1")]
    reporter = res.recipient.id == report.filed_by or res.recipient.role == "dcf"
    lift = res.is_le and bool(info.categories_37l) and reporter
    basis = ("FERPA_SCHOOL_OFFICIAL", "37L_X1_51A") if lift else ("FERPA_SCHOOL_OFFICIAL",)
    rules = ("R-37L-X1", "R-LEI-5") if lift else ("R-LEI-5", "R-SO-1")
    return Candidate("r51a_lift" if lift else "r51a", basis, rules), []


def is_weapon_incident(classification: str, reporting_duties: Iterable[str]) -> bool:
    """R-37L-X5: a student's possession or use of a dangerous weapon (the WEAPON class or the section 37L duty)."""
    return classification == "WEAPON" or "WEAPON_37L" in reporting_duties


def _weapon(res: Resolved, info: FieldInfo, report: ReportFacts) -> Resolution:
    if info.base not in report.fields:
        return None, [Missing("W_NOT_RELEVANT", "R-LEI-5")]
    ferpa = res.district.weapon_report_ferpa_basis if res.district else None
    incident = res.ctx.request.incident
    ok = (
        ferpa is not None
        and not (incident is not None and incident.id == report.incident_id
                 and not is_weapon_incident(incident.classification, incident.reporting_duties))
        and report.filed_by_role == "superintendent"
        and res.recipient.role == "chief"
        and res.recipient.id == report.recipient
        and info.base != "discipline_history"  # R-GATE-4: only the weapon incident's entry, never the history
    )
    if not ok or ferpa is None:
        return None, [Missing("W_NO_BASIS", "R-37L-X5")]
    # A suspected-gang note is never needed for a weapon report (conservative reading of R-37L-X5).
    lift = res.is_le and bool(info.categories_37l) and "GANG" not in info.tags
    basis = (ferpa, "37L_X5_WEAPON") if lift else (ferpa,)
    return Candidate("weapon_lift" if lift else "weapon", basis, ("R-37L-X5",), covers_all_students=False), []


def germane_holds(res: Resolved, info: FieldInfo, report: ReportFacts) -> bool:
    incident = res.ctx.request.incident
    return (
        report.filed_by_role == "principal"
        and report.filer_serves_school  # (d): the principal of this student's school
        and incident is not None
        and report.incident_id == incident.id
        and report.duty in GERMANE_DUTIES
        and report.duty in incident.reporting_duties
        and bool((report.duty_holder or "").strip())
        and bool((report.justifications.get(info.base) or "").strip())
    )


def _germane(res: Resolved, info: FieldInfo, report: ReportFacts) -> Candidate | None:
    # The finding lifts section 37L only; the FERPA basis must be the school-official path (R-GATE-7).
    if res.status != "school_official" or not germane_holds(res, info, report):
        return None
    lift = bool(info.categories_37l)
    basis = ("FERPA_SCHOOL_OFFICIAL", "37L_GERMANE") if lift else ("FERPA_SCHOOL_OFFICIAL",)
    return Candidate("germane", basis, ("R-37L-G", "R-SO-1"))


def clinician_flagged(res: Resolved, info: FieldInfo) -> bool:
    """R-PRV-2: a CLINICIAN_FLAG filed by a clinician names this memo (on file, or the report cited)."""
    reports = list(res.ctx.request.student_reports)
    cited = cited_report(res)
    if cited is not None:
        reports.append(cited)
    return any(r.kind == "CLINICIAN_FLAG" and r.filed_by_role == "clinician" and r.memo_field == info.base
               for r in reports)


def _clinician_memo(res: Resolved, info: FieldInfo) -> Candidate | None:
    """R-PRV-1(b)/R-PRV-2: a flag filed by a clinician lets its memo go with principal approval."""
    if not info.memo or res.status not in ("school_official", "school") or not clinician_flagged(res, info):
        return None
    return Candidate("clinician_memo", ("FERPA_SCHOOL_OFFICIAL",), ("R-PRV-1", "R-PRV-2"))
    reports = list(res.ctx.request.student_reports)
    cited = cited_report(res)
    if cited is not None:
        reports.append(cited)
    for r in reports:
        if r.kind == "CLINICIAN_FLAG" and r.filed_by_role == "clinician" and r.memo_field == info.base:
            return Candidate("clinician_memo", ("FERPA_SCHOOL_OFFICIAL",), ("R-PRV-1", "R-PRV-2"))
    return None
