"""Requester status (R-SO-1 ... R-SO-7, R-37L-1, R-37L-4, R-USE-4): who receives the data and as what.

Statuses are the policy.csv status column: school_official, sro_not_official, le_other, gang_db (law enforcement),
school (district staff) and non_le (courts, DCF, DESE, EMS, families, anyone else).
"""

from __future__ import annotations

from datetime import date

from app.policy.context import LE_DESTINATIONS, is_law_enforcement
from app.policy.facts import AnnualNotice, DistrictFacts, Party, RequestFacts, StudentFacts


def mou_in_effect(district: DistrictFacts | None, today: date) -> bool:
    """R-SO-7: signed on or before today and not withdrawn on or before today."""
    if district is None or district.mou_signed_on is None or district.mou_signed_on > today:
        return False
    return district.mou_withdrawn_on is None or district.mou_withdrawn_on > today


def school_official_failure(
    party: Party,
    student: StudentFacts,
    district: DistrictFacts | None,
    notice: AnnualNotice | None,
    purpose: str,
    today: date,
    check_purpose: bool,
) -> str | None:
    """The rule id of the first R-SO-1 condition an `sro`/`pd_contact` fails, or None when it is a school official."""
    if not mou_in_effect(district, today):
        return "R-SO-7"
    if notice is None:
        return "R-SO-2"
    if party.role == "sro" and not notice.names_sros:
        return "R-SO-2"
    if party.role == "pd_contact" and not notice.names_pd_contacts:
        return "R-SO-4"
    if check_purpose and purpose not in notice.sro_purposes:
        return "R-SO-2"
    if party.role == "sro" and (party.sro_certified_until is None or party.sro_certified_until < today):
        return "R-SO-5"
    if not party.mou_contact:
        return "R-SO-4"
    if student.school_id not in party.school_ids:
        return "R-SO-1"
    return None


def is_redisclosure(request: RequestFacts, requester: Party, recipient: Party) -> bool:
    """R-USE-4: a police requester forwarding to a further party, or naming another recipient."""
    if not is_law_enforcement(requester):
        return False
    return request.destination is not None or recipient.id != requester.id


def recipient_status(
    request: RequestFacts,
    requester: Party,
    recipient: Party,
    so_failure: str | None,
) -> str:
    """The status column for this request. A gang-tracking database anywhere in the chain wins (R-37L-4)."""
    if "fusion_center" in (recipient.agency_type, requester.agency_type) or request.destination == "GANG_DATABASE":
        return "gang_db"
    if is_redisclosure(request, requester, recipient):
        # Judged as a disclosure from the district to the further party (R-USE-4: as LE_OTHER).
        dest = request.destination
        if dest is None:
            return "le_other" if is_law_enforcement(recipient) else "non_le"
        return "le_other" if dest in LE_DESTINATIONS or dest == "OTHER" else "non_le"
    if is_law_enforcement(recipient):
        if recipient.role in ("sro", "pd_contact"):
            return "sro_not_official" if so_failure else "school_official"
        return "le_other"
    if recipient.agency_type == "school":
        return "school"
    return "non_le"
