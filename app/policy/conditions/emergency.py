"""Conditions of a declared emergency (R-EMG-1 ... R-EMG-4, R-EMG-7, R-EMG-9).

emergency_active is the one answer to "is this emergency active" for the engine, the releasing official's record
(disclosures.service) and the emergency's own view (legal_bases.service).
"""

from __future__ import annotations

from datetime import datetime

from app.policy.conditions.registry import condition
from app.policy.context import EmergencyState
from app.policy.facts import DistrictFacts, EmergencyFacts, Party
from app.policy.tags import FieldInfo
from app.policy.validation import emergency_review_at

DEFAULT_REVIEW_HOURS = 4  # DistrictFacts' default, for a decision without a district
EMERGENCY_REQUESTERS = frozenset({"sro", "pd_contact"})  # who may ask before a declaration (R-EMG-7)


@condition
def emergency_active(em: EmergencyFacts, now: datetime, district: DistrictFacts | None) -> bool:
    """Started, not ended, and before its review time. The stored review time is capped again here at review hours
    after the start or the last renewal (R-EMG-4: a renewal is a new record of facts and opens a new period)."""
    if em.ended_at is not None and em.ended_at <= now:
        return False
    hours = district.emergency_review_hours if district else DEFAULT_REVIEW_HOURS
    return em.starts_at <= now < emergency_review_at(em.renewed_at or em.starts_at, em.review_at, hours)


def recipient_keys(party: Party) -> set[str]:
    """How a declaration may name a recipient: by id, by role or by agency type (`role:<x>`)."""
    return {party.id, f"role:{party.role}", f"role:{party.agency_type}"}


@condition
def emergency_covers_recipient(em: EmergencyFacts, student_id: str, recipient: Party) -> bool:
    return student_id in em.student_ids and not recipient_keys(recipient).isdisjoint(em.recipients)


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


def necessary_pair(em: EmergencyFacts, party: Party, police: bool) -> tuple[frozenset[str], frozenset[str]]:
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


def emergency_necessity_failure(state: EmergencyState, info: FieldInfo) -> str | None:
    """None when the declaration of `state` lists the field as necessary for this recipient; else R-EMG-9 when it
    lists the field for other recipients only, R-EMG-3 otherwise. A full IEP or 504 document never is (A-22)."""
    allowed = state.allowed_medical if info.medical else state.allowed
    if info.base in allowed and not info.full_document:
        return None
    listed = state.em is not None and info.base in state.em.necessary_fields
    return "R-EMG-9" if listed and not info.full_document else "R-EMG-3"


@condition
def emergency_field_necessary(state: EmergencyState, info: FieldInfo) -> bool:
    """`state`: the request's declaration with its necessary fields for this recipient (emergency.emergency_state)."""
    return emergency_necessity_failure(state, info) is None


def emergency_request_failure(requester: Party, purpose: str, info: FieldInfo) -> str | None:
    """None when an SRO or VI.A contact asks for an emergency not yet declared for a field that is not a full
    document (the field then waits for the declaration); R-EMG-3 for a full document, R-EMG-1 for anyone else."""
    if requester.role not in EMERGENCY_REQUESTERS or purpose != "EMERGENCY":
        return "R-EMG-1"
    return "R-EMG-3" if info.full_document else None


@condition
def emergency_requested_by_sro(requester: Party, purpose: str, info: FieldInfo) -> bool:
    return emergency_request_failure(requester, purpose, info) is None
