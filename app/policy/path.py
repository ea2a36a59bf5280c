"""The purpose path: the school-official basis and its relevance matrix (R-SO-1, R-LEI-1 ... R-LEI-6), district
staff, and student-level state reporting to DESE (R-RPT-1/2). Artifacts are tried before this path (resolve.py)."""

from __future__ import annotations

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.context import Resolved
from app.policy.purposes import PurposeTable
from app.policy.tags import FieldInfo


def resolve_path(res: Resolved, info: FieldInfo, purposes: PurposeTable) -> Resolution:
    request = res.ctx.request
    purpose = request.purpose
    row = purposes.row(purpose)
    if row is None or purpose in purposes.skip_so_test or row.from_artifact or row.from_emergency:
        return None, []
    if row.from_report:
        return None, ([] if request.report is not None else [Missing("W_NO_BASIS", "R-LEI-5")])
    relevant = info.base in res.relevant  # purposes.relevant(), resolved once per request
    if purpose == "EMERGENCY_PLANNING":
        return None, [Missing("W_NOT_RELEVANT", "R-LEI-6")]
    if row.recipients is not None:  # STATE_REPORTING: DESE only
        if res.recipient.agency_type not in row.recipients and res.recipient.role not in row.recipients:
            return None, [Missing("W_NO_BASIS", "R-LEI-5")]
        if not relevant:
            return None, [Missing("W_NOT_RELEVANT", "R-LEI-5")]
        return Candidate("state_ed", ("FERPA_STATE_ED",), ("R-LEI-5",)), []
    missing: list[Missing] = []
    if not relevant:
        missing.append(Missing("W_NOT_RELEVANT", "R-LEI-5"))
    if res.status == "sro_not_official":
        return None, [Missing("W_NOT_SCHOOL_OFFICIAL", res.so_failure or "R-SO-1"), *missing]
    if res.status not in ("school_official", "school"):
        return None, [Missing("W_NO_BASIS", "R-SO-1"), *missing]
    if row.needs_case and not (request.case_id or "").strip():
        return None, [Missing("W_NO_BASIS", "R-LEI-6"), *missing]
    advisory = None
    if row.needs_incident:
        incident = request.incident
        if incident is None or res.student.id not in incident.students:
            return None, [Missing("W_NO_BASIS", "R-LEI-3"), *missing]
        if incident.classification in purposes.incident_judgment:
            advisory = "LOW_LEVEL_OFFENSE"
        elif incident.classification not in purposes.incident_allowed:
            return None, [Missing("W_NO_BASIS", "R-LEI-3"), *missing]
    if missing:
        return None, missing
    if res.status == "school":
        return Candidate("district", ("FERPA_SCHOOL_OFFICIAL",), ("R-SO-1", "R-LEI-5")), []
    waiting = None
    rules: tuple[str, ...] = ("R-SO-1", "R-LEI-5")
    if row.needs_services_notice and not request.services_notice_on_file:
        waiting = "SERVICES_NOTICE"  # R-NTF-1: released only once a notice for the student is on file
        rules += ("R-NTF-1",)
    if advisory:
        return Candidate("so_low", ("FERPA_SCHOOL_OFFICIAL",), ("R-LEI-3", *rules), advisory=advisory,
                         waiting_for=waiting), []
    return Candidate("so", ("FERPA_SCHOOL_OFFICIAL",), rules, waiting_for=waiting), []
