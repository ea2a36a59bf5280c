"""Court orders and subpoenas as a basis (R-LGL-1 ... R-LGL-5, R-37L-X3, R-37L-4, R-37L-5).

Until validated the covered fields wait for counsel or the principal (counsel only for an administrative subpoena).
Once validated they wait for the parent-notice hold (conditions.orders.hold_until); the workflow re-decides with a
later `now` once it has passed. Each test below is a named condition of bases.yaml (app/policy/conditions/orders.py).
"""

from __future__ import annotations

from app.policy.candidate import Candidate, Missing, Resolution
from app.policy.conditions.orders import (
    hold_until,
    order_admin_subpoena,
    order_awaiting_validation,
    order_compels_gang_db_submission,
    order_coverage_failure,
    order_judicial,
    order_validated_past_hold,
)
from app.policy.conditions.parties import field_37l_for_law_enforcement
from app.policy.context import Resolved
from app.policy.tags import FieldInfo


def resolve_order(res: Resolved, info: FieldInfo) -> Resolution:
    request = res.ctx.request
    order = request.legal_order
    if order is None:
        return None, ([Missing("W_NO_BASIS", "R-LGL-1")] if request.legal_order_id_given else [])
    if not order_judicial(order):
        return None, [Missing("W_NO_BASIS", "R-LGL-4")]
    failed = order_coverage_failure(order, info, res.student.id, res.recipient.id)
    if failed is not None:
        return None, [Missing("W_NO_BASIS", failed)]
    lift = field_37l_for_law_enforcement(info, res.status)
    basis = ("FERPA_JUDICIAL", "37L_X3_COURT") if lift else ("FERPA_JUDICIAL",)
    # R-REC-9: an order names one student (its student_id), never the other students of an incident record, so it
    # releases such a record only as its masked version.
    names_all = False
    rules = ("R-LGL-1", "R-37L-X3") if lift else ("R-LGL-1",)
    suffix = "_lift" if lift else ""
    if res.status == "gang_db":
        if not order_compels_gang_db_submission(order, res.status):
            return None, [Missing("W_NO_BASIS", "R-37L-4")]
        return Candidate("order_gang", basis, ("R-37L-4",) + rules, covers_all_students=names_all), []
    if order_awaiting_validation(order):
        counsel = order_admin_subpoena(order)
        token = "order_review_counsel" if counsel else "order_review"
        rule = "R-LGL-4" if counsel else "R-LGL-1"
        return Candidate(token + suffix, basis, (rule,) + rules, covers_all_students=names_all), []
    if order_validated_past_hold(order, res.district, res.ctx.now):
        return Candidate("order" + suffix, basis, rules, covers_all_students=names_all), []
    return Candidate("order_hold" + suffix, basis, ("R-LGL-2",) + rules, hold_until=hold_until(order, res.district),
                     waiting_for="LEGAL_HOLD", covers_all_students=names_all), []
