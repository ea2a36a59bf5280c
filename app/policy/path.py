"""The purpose path: the school-official basis and its relevance matrix (R-SO-1, R-LEI-1 ... R-LEI-6), district
staff, and student-level state reporting to DESE (R-RPT-1/2). Artifacts are tried before this path (resolve.py).
Each test is a named condition of bases.yaml (app/policy/conditions/purpose.py and parties.py)."""

from __future__ import annotations

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.conditions.parties import requester_district_staff, requester_school_official
from app.policy.conditions.purpose import (
    case_named_where_required,
    field_relevant_to_purpose,
    incident_low_level,
    incident_names_student_where_required,
    purpose_on_school_official_path,
    recipient_state_education_authority,
    services_notice_on_file_where_required,
)
from app.policy.context import Resolved
from app.policy.purposes import PurposeTable
from app.policy.tags import FieldInfo


def resolve_path(res: Resolved, info: FieldInfo, purposes: PurposeTable) -> Resolution:
    request = res.ctx.request
    purpose = request.purpose
    row = purposes.row(purpose)
    if row is None or not purpose_on_school_official_path(purpose, purposes):
        return None, []
    if row.from_report:
        return None, ([] if request.report is not None else [Missing("W_NO_BASIS", "R-LEI-5")])
    relevant = field_relevant_to_purpose(info, res.relevant)  # res.relevant: resolved once per request
    if purpose == "EMERGENCY_PLANNING":
        return None, [Missing("W_NOT_RELEVANT", "R-LEI-6")]
    if row.recipients is not None:  # STATE_REPORTING: DESE only
        if not recipient_state_education_authority(row, res.recipient):
            return None, [Missing("W_NO_BASIS", "R-LEI-5")]
        if not relevant:
            return None, [Missing("W_NOT_RELEVANT", "R-LEI-5")]
        return Candidate("state_ed", ("FERPA_STATE_ED",), ("R-LEI-5",)), []
    missing: list[Missing] = []
    if not relevant:
        missing.append(Missing("W_NOT_RELEVANT", "R-LEI-5"))
    if res.status == "sro_not_official":
        return None, [Missing("W_NOT_SCHOOL_OFFICIAL", res.so_failure or "R-SO-1"), *missing]
    district = requester_district_staff(res.status)
    if not (requester_school_official(res.status) or district):
        return None, [Missing("W_NO_BASIS", "R-SO-1"), *missing]
    if not case_named_where_required(row, request.case_id):
        return None, [Missing("W_NO_BASIS", "R-LEI-6"), *missing]
    if not incident_names_student_where_required(row, request.incident, res.student.id, purposes):
        return None, [Missing("W_NO_BASIS", "R-LEI-3"), *missing]
    if missing:
        return None, missing
    if district:
        return Candidate("district", ("FERPA_SCHOOL_OFFICIAL",), ("R-SO-1", "R-LEI-5")), []
    waiting = None
    rules: tuple[str, ...] = ("R-SO-1", "R-LEI-5")
    if not services_notice_on_file_where_required(row, request):
        waiting = "SERVICES_NOTICE"  # R-NTF-1: released only once a notice for the student is on file
        rules += ("R-NTF-1",)
    if row.needs_incident and incident_low_level(request.incident, purposes):
        return Candidate("so_low", ("FERPA_SCHOOL_OFFICIAL",), ("R-LEI-3", *rules), advisory="LOW_LEVEL_OFFENSE",
                         waiting_for=waiting), []
    return Candidate("so", ("FERPA_SCHOOL_OFFICIAL",), rules, waiting_for=waiting), []
