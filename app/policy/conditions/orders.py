"""Conditions of a court order or subpoena (R-LGL-1 ... R-LGL-5, R-37L-4).

Once validated, an order's fields wait for the parent-notice hold: N school days (Mon-Fri minus district holidays),
released from 00:00 district time of the Nth school day strictly after the local date the notice was sent; at
validation for a non-disclosure order (99.31(a)(9)(ii)(A)-(C)).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.policy.conditions.registry import condition
from app.policy.context import local_date, local_midnight
from app.policy.facts import DistrictFacts, LegalOrderFacts
from app.policy.tags import FieldInfo
from app.policy.validation import is_non_judicial

COURT_ORDER = "COURT_ORDER"  # a judge's order: the only process reaching privileged records or a gang db


@condition
def order_judicial(order: LegalOrderFacts) -> bool:
    """Stored as valid, not rejected, and not of a non-judicial kind (validation.is_non_judicial)."""
    return not is_non_judicial(order.kind) and order.valid and order.status != "rejected"


def order_coverage_failure(order: LegalOrderFacts, info: FieldInfo, student_id: str, recipient_id: str) -> str | None:
    """None when the order covers the field for this student and recipient; else R-LGL-1, or R-LGL-5 for a
    privileged record the process is not a court order for."""
    names_field = info.base in order.fields or not info.categories_37l.isdisjoint(order.categories_37l)
    if order.student_id != student_id or order.recipient != recipient_id or not names_field:
        return "R-LGL-1"
    if "PRIVILEGED" in info.tags and order.kind != COURT_ORDER:
        return "R-LGL-5"
    return None


@condition
def order_covers_field(order: LegalOrderFacts, info: FieldInfo, student_id: str, recipient_id: str) -> bool:
    return order_coverage_failure(order, info, student_id, recipient_id) is None


@condition
def order_admin_subpoena(order: LegalOrderFacts) -> bool:
    """Counsel alone validates an administrative subpoena (A-18)."""
    return order.kind == "ADMIN_SUBPOENA"


@condition
def order_awaiting_validation(order: LegalOrderFacts) -> bool:
    return order.status != "validated"


def nth_school_day_after(day: date, n: int, district: DistrictFacts | None) -> date:
    holidays = district.holidays if district else frozenset()
    count, current = 0, day
    while count < max(n, 0):
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            count += 1
    return current


def hold_until(order: LegalOrderFacts, district: DistrictFacts | None) -> datetime | None:
    """When the validated order's fields may go (None: no parent notice recorded yet)."""
    if order.non_disclosure_order:
        return order.validated_at
    if order.parent_notice_sent_at is None:
        return None
    n = district.legal_notice_hold_school_days if district else 5
    sent = local_date(order.parent_notice_sent_at, district)
    return local_midnight(nth_school_day_after(sent, n, district), district)


@condition
def order_validated_in_hold(order: LegalOrderFacts, district: DistrictFacts | None, now: datetime) -> bool:
    """Validated, and the parent-notice hold has not run (or no notice is recorded yet)."""
    if order_awaiting_validation(order):
        return False
    until = hold_until(order, district)
    return until is None or now < until


@condition
def order_validated_past_hold(order: LegalOrderFacts, district: DistrictFacts | None, now: datetime) -> bool:
    """Validated, and the hold has run (a non-disclosure order: from validation, R-LGL-3)."""
    return not order_awaiting_validation(order) and not order_validated_in_hold(order, district, now)


@condition
def order_compels_gang_db_submission(order: LegalOrderFacts, status: str) -> bool:
    """The recipient is a gang-tracking database and a judge ordered the submission (A-17)."""
    return status == "gang_db" and order.kind == COURT_ORDER
