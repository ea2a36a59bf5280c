"""Conditions on the recipient and on what the field is (R-SO-1, R-PRV-2, R-37L-1, R-37L-2, R-GATE-7, R-REC-3).

They read the recipient's status (the policy.csv status column, decided once per request by status.py from the
MOU, the notice in force, certification and the points of contact) and the field's tags (tags.py).
"""

from __future__ import annotations

from app.policy.conditions.registry import condition
from app.policy.context import LE_STATUSES
from app.policy.tags import FieldInfo


@condition
def requester_school_official(status: str) -> bool:
    """The recipient passed the school-official test (an SRO or VI.A contact meeting every R-SO-1 condition)."""
    return status == "school_official"


@condition
def requester_district_staff(status: str) -> bool:
    """District staff: a school recipient that is not law enforcement."""
    return status == "school"


@condition
def requester_school_staff(status: str) -> bool:
    """A school official or district staff (who may receive a clinician-flagged memo, R-PRV-2)."""
    return requester_school_official(status) or requester_district_staff(status)


@condition
def field_37l_for_law_enforcement(info: FieldInfo, status: str) -> bool:
    """The field carries a section 37L category and goes to law enforcement, so its basis must also supply a 37L
    exception: the resolvers then give the `_lift` token of their basis."""
    return status in LE_STATUSES and bool(info.categories_37l)


@condition
def field_is_leu_record(info: FieldInfo) -> bool:
    """A record of a designated law-enforcement unit (tags.py gives LEU only with an `leu` source and a unit)."""
    return "LEU" in info.tags
