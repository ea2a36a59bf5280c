"""Declared emergencies as a basis (R-EMG-1 ... R-EMG-9, R-37L-X4).

An emergency covers a field only while active (started, not ended, before its review time; R-EMG-4), only for its
students and listed recipients (R-EMG-2), and only for fields the declaration lists as necessary for that recipient
(R-EMG-3, R-EMG-9). A full IEP or 504 document is never necessary (A-22). R-EMG-7: an SRO or VI.A contact asking
without a declaration waits for one; the workflow re-decides once one is declared.
"""

from __future__ import annotations

from datetime import timedelta

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.context import NO_EMERGENCY, EmergencyState, Resolved
from app.policy.facts import EmergencyFacts, Party
from app.policy.reports import clinician_flagged
from app.policy.tags import FieldInfo


def recipient_keys(party: Party) -> set[str]:
    return {party.id, f"role:{party.role}", f"role:{party.agency_type}"}


def is_active(em: EmergencyFacts, res: Resolved) -> bool:
    now = res.ctx.now
    hours = res.district.emergency_review_hours if res.district else 4
    # A renewal (R-EMG-4: a new record of facts) opens a new review period counted from the renewal.
    review = min(em.review_at, (em.renewed_at or em.starts_at) + timedelta(hours=hours))
    if em.ended_at is not None and em.ended_at <= now:
        return False
    return em.starts_at <= now < review


def covers_party(em: EmergencyFacts, res: Resolved) -> bool:
    return res.student.id in em.student_ids and bool(recipient_keys(res.recipient) & set(em.recipients))


def _narrowed(em: EmergencyFacts, party: Party) -> frozenset[str] | None:
    """The fields recipient_fields allows this party, or None when no entry names it. A party named by several
    entries (its id and its role) gets only what every one of them allows: deterministic, and never more."""
    lists = [frozenset(em.recipient_fields[key]) for key in sorted(recipient_keys(party)) if key in em.recipient_fields]
    return frozenset.intersection(*lists) if lists else None


def necessary_for(em: EmergencyFacts, party: Party, police: bool = False,
                  medical: frozenset[str] = frozenset()) -> frozenset[str]:
    """The necessary fields narrowed to this recipient where the declaration does so (recipient_fields).

    R-EMG-9: medical details go to EMS, not to police. A police recipient without its own recipient_fields entry
    would otherwise get every necessary field, including a medical field the declaration marked for other
    recipients (EMS) only; such a field is not necessary for it.
    """
    necessary = frozenset(em.necessary_fields)
    narrowed = _narrowed(em, party)
    if narrowed is not None:
        return necessary & narrowed
    if police and em.recipient_fields:
        marked = frozenset(f for fields in em.recipient_fields.values() for f in fields)
        return necessary - (marked & medical)
    return necessary


def _allowed_pair(em: EmergencyFacts, party: Party, police: bool) -> tuple[frozenset[str], frozenset[str]]:
    """necessary_for() for a non-medical and for a medical field, in one pass: `necessary_for(em, party, police,
    {f})` contains a medical field f exactly when the second set does, and a non-medical one when the first does."""
    necessary = frozenset(em.necessary_fields)
    narrowed = _narrowed(em, party)
    if narrowed is not None:
        return necessary & narrowed, necessary & narrowed
    if police and em.recipient_fields:
        marked = frozenset(f for fields in em.recipient_fields.values() for f in fields)
        return necessary, necessary - marked
    return necessary, necessary


def emergency_state(res: Resolved) -> EmergencyState:
    """Everything resolve_emergency needs that does not depend on the field (once per request)."""
    if not wants_emergency(res):
        return NO_EMERGENCY
    em = current_emergency(res)
    if em is None:
        return EmergencyState(True, None, False, False, frozenset(), frozenset())
    allowed, allowed_medical = _allowed_pair(em, res.recipient, res.is_le)
    return EmergencyState(True, em, covers_party(em, res), is_active(em, res), allowed, allowed_medical)


def current_emergency(res: Resolved) -> EmergencyFacts | None:
    """The cited emergency, else (no id cited) an active declaration for this student and recipient (R-EMG-7)."""
    request = res.ctx.request
    if request.emergency is not None or request.emergency_id_given:
        return request.emergency
    for em in request.student_emergencies:
        if covers_party(em, res) and is_active(em, res):
            return em
    return None


def wants_emergency(res: Resolved) -> bool:
    request = res.ctx.request
    return request.purpose == "EMERGENCY" or request.emergency_id_given or request.emergency is not None


def resolve_emergency(res: Resolved, info: FieldInfo) -> Resolution:
    state = res.emergency
    if not state.wanted:
        return None, []
    request = res.ctx.request
    em = state.em
    lift = res.is_le and bool(info.categories_37l)
    if em is None:
        if request.emergency_id_given:
            return None, [Missing("W_NO_BASIS", "R-EMG-7")]  # unknown or rejected declaration
        if res.requester.role in ("sro", "pd_contact") and request.purpose == "EMERGENCY":
            if info.full_document:
                return None, [Missing("W_EMERGENCY_NOT_NECESSARY", "R-EMG-3")]
            basis = ("FERPA_EMERGENCY", "37L_X4_EMERGENCY") if lift else ("FERPA_EMERGENCY",)
            token = "emergency_request_lift" if lift else "emergency_request"
            return Candidate(token, basis, ("R-EMG-7",), waiting_for="EMERGENCY_DECLARATION"), []
        return None, [Missing("W_NO_BASIS", "R-EMG-1")]
    if info.memo and not clinician_flagged(res, info):
        # R-PRV-1(b), R-PRV-2: only a memo its clinician flagged can go, even when a declaration lists it.
        return None, [Missing("W_PRIVILEGED", "R-PRV-2")]
    missing: list[Missing] = []
    if not state.covers:
        missing.append(Missing("W_NO_BASIS", "R-EMG-2"))
    if not state.active:
        missing.append(Missing("W_EMERGENCY_INACTIVE", "R-EMG-4"))
    allowed = state.allowed_medical if info.medical else state.allowed
    if info.base not in allowed or info.full_document:
        rule = "R-EMG-9" if info.base in em.necessary_fields and not info.full_document else "R-EMG-3"
        missing.append(Missing("W_EMERGENCY_NOT_NECESSARY", rule))
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
