"""Statutory reports and findings as bases (API.md section 6; R-37L-X1, R-37L-X5, R-37L-G, R-PRV-1(b)).

A 51A report gives the fields it lists on the school-official path (A-11) and lifts section 37L for the mandated
reporter or DCF. A weapon report goes only to the chief it names, signed by the superintendent, on the FERPA basis
counsel configured (A-10). A germane finding lifts section 37L for the fields it justifies when every element of
R-37L-G holds; its FERPA basis is still the school-official path (R-GATE-7). A clinician flag lets only its memo go.
Each test is a named condition of bases.yaml (app/policy/conditions/reports.py).
"""

from __future__ import annotations

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.conditions.parties import (
    field_37l_for_law_enforcement,
    requester_school_official,
    requester_school_staff,
)
from app.policy.conditions.reports import (
    cited_as_51a,
    cited_as_weapon_report,
    germane_finding_holds,
    memo_flagged_by_clinician,
    recipient_mandated_reporter,
    report_lists_field,
    weapon_field_not_gang,
    weapon_report_sent_right,
)
from app.policy.context import Resolved
from app.policy.facts import ReportFacts
from app.policy.tags import FieldInfo


def cited_report(res: Resolved) -> ReportFacts | None:
    report = res.ctx.request.report
    return report if report is not None and report.student_id == res.student.id else None


def reports_on_file(res: Resolved) -> list[ReportFacts]:
    """The reports a clinician's flag may be among: those on file for the student and the one cited."""
    reports = list(res.ctx.request.student_reports)
    cited = cited_report(res)
    if cited is not None:
        reports.append(cited)
    return reports


def resolve_report(res: Resolved, info: FieldInfo) -> Resolution:
    request = res.ctx.request
    memo = _clinician_memo(res, info)
    if memo is not None:
        return memo, []
    report = cited_report(res)
    if report is None:
        return None, ([Missing("W_NO_BASIS", "R-LEI-1")] if request.report_id_given else [])
    # cited_report is the student's: with the field listed, the conditions report_51a_cited and
    # weapon_report_to_chief, whose parts are reported apart.
    if cited_as_51a(report, request.purpose):
        return _report_51a(res, info, report)
    if cited_as_weapon_report(report, request.purpose):
        return _weapon(res, info, report)
    if report.kind == "GERMANE_FINDING":
        return _germane(res, info, report), []
    return None, []


def _report_51a(res: Resolved, info: FieldInfo, report: ReportFacts) -> Resolution:
    if not report_lists_field(report, info):
        return None, [Missing("W_NOT_RELEVANT", "R-LEI-5")]
    if not requester_school_official(res.status):
        code = "W_NOT_SCHOOL_OFFICIAL" if res.status == "sro_not_official" else "W_NO_BASIS"
        return None, [Missing(code, res.so_failure or "R-37L-X1")]
    lift = field_37l_for_law_enforcement(info, res.status) and recipient_mandated_reporter(report, res.recipient)
    basis = ("FERPA_SCHOOL_OFFICIAL", "37L_X1_51A") if lift else ("FERPA_SCHOOL_OFFICIAL",)
    rules = ("R-37L-X1", "R-LEI-5") if lift else ("R-LEI-5", "R-SO-1")
    return Candidate("r51a_lift" if lift else "r51a", basis, rules), []


def _weapon(res: Resolved, info: FieldInfo, report: ReportFacts) -> Resolution:
    if not report_lists_field(report, info):
        return None, [Missing("W_NOT_RELEVANT", "R-LEI-5")]
    ferpa = res.district.weapon_report_ferpa_basis if res.district else None
    if ferpa is None or not weapon_report_sent_right(report, info, res.ctx.request.incident, res.recipient,
                                                     res.district):
        return None, [Missing("W_NO_BASIS", "R-37L-X5")]
    lift = field_37l_for_law_enforcement(info, res.status) and weapon_field_not_gang(info)
    basis = (ferpa, "37L_X5_WEAPON") if lift else (ferpa,)
    return Candidate("weapon_lift" if lift else "weapon", basis, ("R-37L-X5",), covers_all_students=False), []


def _germane(res: Resolved, info: FieldInfo, report: ReportFacts) -> Candidate | None:
    # The finding lifts section 37L only; the FERPA basis must be the school-official path (R-GATE-7).
    if not requester_school_official(res.status) or not germane_finding_holds(report, info, res.ctx.request.incident):
        return None
    lift = field_37l_for_law_enforcement(info, res.status)
    basis = ("FERPA_SCHOOL_OFFICIAL", "37L_GERMANE") if lift else ("FERPA_SCHOOL_OFFICIAL",)
    return Candidate("germane", basis, ("R-37L-G", "R-SO-1"))


def _clinician_memo(res: Resolved, info: FieldInfo) -> Candidate | None:
    """R-PRV-1(b)/R-PRV-2: a flag filed by a clinician lets its memo go with principal approval."""
    if not info.memo or not requester_school_staff(res.status):
        return None
    if not memo_flagged_by_clinician(info, reports_on_file(res)):
        return None
    return Candidate("clinician_memo", ("FERPA_SCHOOL_OFFICIAL",), ("R-PRV-1", "R-PRV-2"))
