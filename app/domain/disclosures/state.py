"""The stored per-field state of a request and the request decision derived from it (R-GATE-2).

A stored field is the engine's FieldDecision JSON plus bookkeeping: `approved_groups` (indexes of the approval
groups that signed) and `approved_by` (user ids). Only `public_field` leaves the service.
"""

from __future__ import annotations

from typing import Any

from app.policy.types import FieldDecision, order_reasons

AUTO_WAITS = frozenset({"LEGAL_HOLD", "EMERGENCY_DECLARATION", "SERVICES_NOTICE"})
BOOKKEEPING = ("approved_groups", "approved_by")


def is_waiting(field: dict[str, Any]) -> bool:
    """A pending field that a later fact (not an approver) may settle: re-decided on GET and approve."""
    return field["outcome"] == "PENDING" and (
        field.get("waiting_for") in AUTO_WAITS or field.get("reason") == "W_LEGAL_REVIEW")


def stored_field(decision: FieldDecision) -> dict[str, Any]:
    return {**decision.to_json(), "approved_groups": [], "approved_by": []}


def public_field(field: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in field.items() if k not in BOOKKEEPING}


def groups(field: dict[str, Any]) -> list[list[str]]:
    """The approval groups of a pending field: approvals_required, or one any-of group."""
    required = field.get("approvals_required")
    if required:
        return [list(g) for g in required]
    roles = field.get("approver_roles") or []
    return [list(roles)] if roles else []


def released_name(field: dict[str, Any]) -> str:
    return str(field.get("released_as") or field["field"])


def request_decision(fields: list[dict[str, Any]]) -> str:
    outcomes = [f["outcome"] for f in fields]
    if "PENDING" in outcomes:
        return "PENDING_APPROVAL"
    released = [f for f in fields if f["outcome"] == "RELEASE"]
    if not released:
        return "DENY"
    if len(released) == len(fields) and not any(f.get("released_as") for f in released):
        return "ALLOW"
    return "ALLOW_REDACTED"


def release(field: dict[str, Any], approver: str | None) -> None:
    """Turn a pending field into a release with the basis the engine decided for it."""
    field["outcome"] = "RELEASE"
    for key in ("approver_roles", "approvals_required", "hold_until", "waiting_for", "reason"):
        field.pop(key, None)
    if approver:
        field.setdefault("approved_by", []).append(approver)


def withhold(field: dict[str, Any], code: str, rule: str) -> None:
    reasons = [code]
    if field.get("reason") and field["outcome"] == "PENDING":
        reasons.append(str(field["reason"]))
    field["outcome"] = "WITHHOLD"
    field["reasons"] = list(order_reasons(reasons))
    field["reason"] = field["reasons"][0]
    field["rules"] = list(dict.fromkeys([*field.get("rules", []), rule]))
    for key in ("approver_roles", "approvals_required", "hold_until", "waiting_for", "basis", "released_as"):
        field.pop(key, None)


def adopt(field: dict[str, Any], fresh: FieldDecision) -> None:
    """Replace a waiting field's state by a re-decision, keeping the approvals already given."""
    approved_groups = field.get("approved_groups", [])
    approved_by = field.get("approved_by", [])
    field.clear()
    field.update(fresh.to_json())
    field["approved_groups"] = approved_groups
    field["approved_by"] = approved_by
