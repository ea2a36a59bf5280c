"""Decision values returned by the engine (API.md section 7). Outcomes are values, never exceptions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

# API.md section 7 "Reasons": the order in which a withheld field's main reason is chosen. Written once.
REASON_ORDER: tuple[str, ...] = (
    "W_BULK",
    "W_GANG_DB",
    "W_PURPOSE_PROHIBITED",
    "W_U12",
    "W_REDISCLOSURE",
    "W_REPURPOSE",
    "W_IMMIGRATION_MOU",
    "W_37L",
    "W_37L_PROXY",
    "W_PRIVILEGED",
    "W_SUD97",
    "W_IEP_CONSENT",
    "W_OPT_OUT",
    "W_UNCLASSIFIED",
    "W_NOT_SCHOOL_OFFICIAL",
    "W_EMERGENCY_INACTIVE",
    "W_EMERGENCY_NOT_NECESSARY",
    "W_CONSENT_INVALID",
    "W_CONSENT_SCOPE",
    "W_NOT_RELEVANT",
    "W_NOT_APPROVED",
    "W_CONFLICT",
    "W_LEGAL_REVIEW",
    "W_NO_BASIS",
)
_RANK = {code: i for i, code in enumerate(REASON_ORDER)}


def order_reasons(codes: set[str] | frozenset[str] | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Deduplicate and sort reason codes in API.md section 7 order (unknown codes last, fail-safe)."""
    return tuple(sorted(set(codes), key=lambda c: (_RANK.get(c, len(_RANK)), c)))


class Outcome(StrEnum):
    RELEASE = "RELEASE"
    WITHHOLD = "WITHHOLD"
    PENDING = "PENDING"


class DecisionKind(StrEnum):
    ALLOW = "ALLOW"
    ALLOW_REDACTED = "ALLOW_REDACTED"
    DENY = "DENY"
    PENDING_APPROVAL = "PENDING_APPROVAL"


@dataclass(frozen=True)
class FieldDecision:
    """One requested field's outcome.

    For a PENDING field `basis` is the basis the field WILL carry once approved (the workflow copies it).
    `waiting_for` names what a later re-decision waits for: SERVICES_NOTICE, LEGAL_HOLD or EMERGENCY_DECLARATION.
    """

    field: str
    outcome: Outcome
    basis: tuple[str, ...] = ()
    reason: str | None = None
    reasons: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    approver_roles: tuple[str, ...] = ()
    approvals_required: tuple[tuple[str, ...], ...] = ()
    released_as: str | None = None
    waiting_for: str | None = None
    hold_until: datetime | None = None
    advisory: str | None = None

    @staticmethod
    def make(field: str, outcome: Outcome, basis: tuple[str, ...], reason: str | None, reasons: tuple[str, ...],
             rules: tuple[str, ...], approver_roles: tuple[str, ...], released_as: str | None,
             waiting_for: str | None, hold_until: datetime | None, advisory: str | None) -> FieldDecision:
        """Every attribute but approvals_required given, positionally (the engine builds one per field)."""
        return FieldDecision(field, outcome, basis, reason, reasons, rules, approver_roles, (), released_as,
                             waiting_for, hold_until, advisory)

    def with_rules(self, rules: tuple[str, ...]) -> FieldDecision:
        return replace(self, rules=rules)

    def as_pending(self, approver_roles: tuple[str, ...], rules: tuple[str, ...]) -> FieldDecision:
        return replace(self, outcome=Outcome.PENDING, approver_roles=approver_roles, rules=rules)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "outcome": self.outcome.value, "rules": list(self.rules)}
        if self.outcome is Outcome.WITHHOLD:
            out["reason"] = self.reason
            out["reasons"] = list(self.reasons)
        else:
            out["basis"] = list(self.basis)
        if self.outcome is Outcome.PENDING:
            out["approver_roles"] = list(self.approver_roles)
            if self.approvals_required:
                out["approvals_required"] = [list(g) for g in self.approvals_required]
            if self.reason:
                out["reason"] = self.reason
            out["hold_until"] = self.hold_until.isoformat() if self.hold_until else None
            if self.waiting_for:
                out["waiting_for"] = self.waiting_for
        if self.released_as:
            out["released_as"] = self.released_as
        if self.advisory:
            out["advisory"] = self.advisory
        return out


@dataclass(frozen=True)
class Decision:
    """The request-level answer (R-GATE-2). `auto_release_rule` names the rule when nobody approved (directory,
    exact-match consent); the record of disclosures shows it as the releasing "official"."""

    decision: DecisionKind
    fields: tuple[FieldDecision, ...]
    use_restrictions: tuple[str, ...]
    notice_required: bool
    auto_release_rule: str | None
    explanation: str
    policy_version: str
    rules: tuple[str, ...]

    def field(self, name: str) -> FieldDecision | None:
        return next((f for f in self.fields if f.field == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "fields": [f.to_json() for f in self.fields],
            "use_restrictions": list(self.use_restrictions),
            "notice_required": self.notice_required,
            "auto_release_rule": self.auto_release_rule,
            "explanation": self.explanation,
            "policy_version": self.policy_version,
            "rules": list(self.rules),
        }
