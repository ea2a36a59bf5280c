"""Declared emergencies as a basis (R-EMG-1 ... R-EMG-9, R-37L-X4).

An emergency covers a field only while active (started, not ended, before its review time; R-EMG-4), only for its
students and listed recipients (R-EMG-2), and only for fields the declaration lists as necessary for that recipient
(R-EMG-3, R-EMG-9). A full IEP or 504 document is never necessary (A-22). R-EMG-7: an SRO or VI.A contact asking
without a declaration waits for one; the workflow re-decides once one is declared. Each test is a named condition
of bases.yaml (app/policy/conditions/emergency.py).
"""

from __future__ import annotations

from datetime import datetime

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.conditions.emergency import (
    emergency_active,
    emergency_covers_recipient,
    emergency_necessity_failure,
    emergency_request_failure,
    necessary_pair,
)
from app.policy.conditions.parties import field_37l_for_law_enforcement
from app.policy.conditions.reports import memo_flagged_by_clinician
from app.policy.context import NO_EMERGENCY, EmergencyState, Resolved
from app.policy.facts import DistrictFacts, EmergencyFacts, Party, RequestFacts
from app.policy.reports import reports_on_file
from app.policy.tags import FieldInfo


def emergency_state(res: Resolved) -> EmergencyState:
    """Everything resolve_emergency needs that does not depend on the field (once per request)."""
    if not wants_emergency(res.ctx.request):
        return NO_EMERGENCY
    em = current_emergency(res)
    if em is None:
        return EmergencyState(True, None, False, False, frozenset(), frozenset())
    allowed, allowed_medical = necessary_pair(em, res.recipient, res.is_le)
    return EmergencyState(True, em, emergency_covers_recipient(em, res.student.id, res.recipient),
                          emergency_active(em, res.ctx.now, res.district), allowed, allowed_medical)


def declaration_relied_on(request: RequestFacts, student_id: str, recipient: Party, now: datetime,
                          district: DistrictFacts | None) -> EmergencyFacts | None:
    """The cited emergency, else (no id cited) an active declaration for this student that names the recipient
    (R-EMG-7). The engine decides on it and the service records it as the emergency a release relied on."""
    if request.emergency is not None or request.emergency_id_given:
        return request.emergency
    for em in request.student_emergencies:
        if emergency_covers_recipient(em, student_id, recipient) and emergency_active(em, now, district):
            return em
    return None


def current_emergency(res: Resolved) -> EmergencyFacts | None:
    return declaration_relied_on(res.ctx.request, res.student.id, res.recipient, res.ctx.now, res.district)


def wants_emergency(request: RequestFacts) -> bool:
    """The request asks for the emergency basis: purpose EMERGENCY or a cited declaration."""
    return request.purpose == "EMERGENCY" or request.emergency_id_given or request.emergency is not None


def resolve_emergency(res: Resolved, info: FieldInfo) -> Resolution:
    state = res.emergency
    if not state.wanted:
        return None, []
    request = res.ctx.request
    em = state.em
    lift = field_37l_for_law_enforcement(info, res.status)
    if em is None:
        if request.emergency_id_given:
            return None, [Missing("W_NO_BASIS", "R-EMG-7")]  # unknown or rejected declaration
        failed = emergency_request_failure(res.requester, request.purpose, info)
        if failed == "R-EMG-3":
            return None, [Missing("W_EMERGENCY_NOT_NECESSARY", failed)]
        if failed is not None:
            return None, [Missing("W_NO_BASIS", failed)]
        basis = ("FERPA_EMERGENCY", "37L_X4_EMERGENCY") if lift else ("FERPA_EMERGENCY",)
        token = "emergency_request_lift" if lift else "emergency_request"
        return Candidate(token, basis, ("R-EMG-7",), waiting_for="EMERGENCY_DECLARATION"), []
    if info.memo and not memo_flagged_by_clinician(info, reports_on_file(res)):
        # R-PRV-1(b), R-PRV-2: only a memo its clinician flagged can go, even when a declaration lists it.
        return None, [Missing("W_PRIVILEGED", "R-PRV-2")]
    missing: list[Missing] = []
    if not state.covers:
        missing.append(Missing("W_NO_BASIS", "R-EMG-2"))
    if not state.active:
        missing.append(Missing("W_EMERGENCY_INACTIVE", "R-EMG-4"))
    unnecessary = emergency_necessity_failure(state, info)
    if unnecessary is not None:
        missing.append(Missing("W_EMERGENCY_NOT_NECESSARY", unnecessary))
    if missing:
        return None, missing
    basis = ("FERPA_EMERGENCY", "37L_X4_EMERGENCY") if lift else ("FERPA_EMERGENCY",)
    rules: tuple[str, ...] = ("R-EMG-3", "R-37L-X4") if lift else ("R-EMG-3",)
    if request.emergency is None:
        rules += ("R-EMG-7",)  # found among the student's declarations: an SRO request re-decided once declared
    return Candidate("emergency_lift" if lift else "emergency", basis, rules,
                     covers_all_students=_covers_incident_students(em, res, info)), []


def _covers_incident_students(em: EmergencyFacts, res: Resolved, info: FieldInfo) -> bool:
    """R-REC-9: the declaration needs the names only of the students it covers."""
    incident = res.ctx.request.incident
    if incident is None or info.param("id") != incident.id:
        return False
    return set(incident.students) <= set(em.student_ids)
