"""Court orders and subpoenas as a basis (R-LGL-1 ... R-LGL-5, R-37L-X3, R-37L-4, R-37L-5).

Until validated the covered fields wait for counsel or the principal (counsel only for an administrative subpoena).
Once validated they wait for the parent-notice hold: N school days (Mon-Fri minus district holidays), released from
00:00 district time of the Nth school day strictly after the local date the notice was sent; at validation for a
non-disclosure order (99.31(a)(9)(ii)(A)-(C)). The workflow re-decides with a later `now` once `hold_until` passed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.context import Resolved, local_date, local_midnight
from app.policy.facts import DistrictFacts, LegalOrderFacts
from app.policy.tags import FieldInfo

NOT_JUDICIAL = frozenset({"ADMIN_WARRANT", "DETAINER"})


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


def order_covers(order: LegalOrderFacts, info: FieldInfo) -> bool:
    return info.base in order.fields or bool(info.categories_37l & order.categories_37l)


def resolve_order(res: Resolved, info: FieldInfo) -> Resolution:
    request = res.ctx.request
    order = request.legal_order
    if order is None:
        return None, ([Missing("W_NO_BASIS", "R-LGL-1")] if request.legal_order_id_given else [])
    if order.kind in NOT_JUDICIAL or not order.valid or order.status == "rejected":
        return None, [Missing("W_NO_BASIS", "R-LGL-4")]
    if order.student_id != res.student.id or order.recipient != res.recipient.id or not order_covers(order, info):
        return None, [Missing("W_NO_BASIS", "R-LGL-1")]
    if "PRIVILEGED" in info.tags and order.kind != "COURT_ORDER":
        return None, [Missing("W_NO_BASIS", "R-LGL-5")]  # only a judge's order reaches privileged records
    lift = res.is_le and bool(info.categories_37l)
    basis = ("FERPA_JUDICIAL", "37L_X3_COURT") if lift else ("FERPA_JUDICIAL",)
    # R-REC-9: an order names one student (its student_id), never the other students of an incident record, so it
    # releases such a record only as its masked version.
    names_all = False
    rules = ("R-LGL-1", "R-37L-X3") if lift else ("R-LGL-1",)
    suffix = "_lift" if lift else ""
    if res.status == "gang_db":
        if order.kind != "COURT_ORDER":
            return None, [Missing("W_NO_BASIS", "R-37L-4")]
        return Candidate("order_gang", basis, ("R-37L-4",) + rules, covers_all_students=names_all), []
    if order.status != "validated":
        token = "order_review_counsel" if order.kind == "ADMIN_SUBPOENA" else "order_review"
        rule = "R-LGL-4" if order.kind == "ADMIN_SUBPOENA" else "R-LGL-1"
        return Candidate(token + suffix, basis, (rule,) + rules, covers_all_students=names_all), []
    until = hold_until(order, res.district)
    if until is None or res.ctx.now < until:
        return Candidate("order_hold" + suffix, basis, ("R-LGL-2",) + rules, hold_until=until,
                         waiting_for="LEGAL_HOLD", covers_all_students=names_all), []
    return Candidate("order" + suffix, basis, rules, covers_all_students=names_all), []
