"""Request-level rules applied after the per-field outcomes: conflicts of interest (R-SO-6), staff pushes (R-APR-5),
the atomic decision (R-GATE-2), use restrictions and the redisclosure notice (R-USE-1, R-USE-2), the explanation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import chain
from typing import Any

from app.policy.candidate import needs_redisclosure_notice
from app.policy.context import Resolved
from app.policy.types import Decision, DecisionKind, FieldDecision, Outcome

_CONFLICT_GROUPS: tuple[tuple[str, ...], ...] = (("chief",), ("principal", "designee"))
def conflicted(res: Resolved) -> bool:
    parties = (res.requester, res.recipient)
    return any(p.role in ("sro", "pd_contact") and res.student.id in p.declared_relationships for p in parties)


def adjust(res: Resolved, fd: FieldDecision, token: str, emergency_tokens: frozenset[str]) -> FieldDecision:
    """`emergency_tokens`: the emergency resolver's tokens (TokenRoles), which a conflict of interest does not hold."""
    if fd.outcome is Outcome.WITHHOLD:
        return fd
    if res.conflicted and token not in emergency_tokens:
        # R-SO-6 / MOU III: the appointing authority and the principal decide; the emergency path is unaffected.
        return replace(fd, outcome=Outcome.PENDING, reason="W_CONFLICT", approver_roles=("chief", "principal",
                       "designee"), approvals_required=_CONFLICT_GROUPS, rules=fd.rules + ("R-SO-6",))
    if fd.outcome is Outcome.RELEASE and res.requester.role in ("staff", "clinician") and res.is_le:
        # R-APR-5: staff may not send directly to the SRO; the push becomes a request to the principal.
        return replace(fd, outcome=Outcome.PENDING, approver_roles=("principal", "designee"),
                       rules=fd.rules + ("R-APR-5",))
    return fd


def atomic(fields: list[FieldDecision]) -> list[FieldDecision]:
    """R-GATE-2: while anything waits for approval nothing is released; released fields wait with the rest."""
    pending = [f for f in fields if f.outcome is Outcome.PENDING]
    if not pending:
        return fields
    roles = tuple(dict.fromkeys(r for f in pending for r in f.approver_roles))
    return [f.as_pending(roles, f.rules + ("R-GATE-2",)) if f.outcome is Outcome.RELEASE else f for f in fields]


def decision_kind(fields: list[FieldDecision]) -> DecisionKind:
    if any(f.outcome is Outcome.PENDING for f in fields):
        return DecisionKind.PENDING_APPROVAL
    released = [f for f in fields if f.outcome is Outcome.RELEASE]
    if not released:
        return DecisionKind.DENY
    partial = len(released) < len(fields) or any(f.released_as for f in released)
    return DecisionKind.ALLOW_REDACTED if partial else DecisionKind.ALLOW


def restrictions(res: Resolved, fields: list[FieldDecision]) -> tuple[bool, tuple[str, ...]]:
    """R-USE-2: notice on every release except directory, judicial, and to the parent or eligible student."""
    going = [f for f in fields if f.outcome is not Outcome.WITHHOLD]
    needs = res.recipient.role not in ("parent", "student") and any(needs_redisclosure_notice(f.basis) for f in going)
    if not needs:
        return False, ()
    request = res.ctx.request
    out = [f"PURPOSE_ONLY:{request.purpose}"]
    if request.incident is not None:
        out.append(f"INCIDENT_ONLY:{request.incident.id}")
    if request.case_id:
        out.append(f"CASE_ONLY:{request.case_id}")
    if request.purpose == "SERVICES_REFERRAL":
        out.append("NO_LE_ACTION")
    report = request.report
    if report is not None and report.kind == "REPORT_51A":
        out.append("REPORT_51A_ONLY")
    if report is not None and report.kind == "WEAPON_REPORT":
        out.append("WEAPON_REPORT_ONLY")
    return True, tuple(out)


def auto_rule(kind: DecisionKind, fields: list[FieldDecision], tokens: dict[str, str],
              auto_release: Mapping[str, str]) -> str | None:
    """The rule of an automatic release (the bases.yaml bases with `auto_release`: directory, exact-match consent;
    API.md section 8), or None when anything released needed another basis. A release by both automatic routes
    names both rules, joined by "+"."""
    if kind not in (DecisionKind.ALLOW, DecisionKind.ALLOW_REDACTED):
        return None
    rules = {auto_release.get(tokens.get(f.field, ""), "") for f in fields if f.outcome is Outcome.RELEASE}
    return "+".join(sorted(rules)) if rules and "" not in rules else None


def explain(decision: str, fields: Iterable[Mapping[str, Any]]) -> str:
    """Plain language, field names and codes only (never a record value), over fields in their JSON form (the
    engine's FieldDecision.to_json, which is also how a request stores them), so an approval, a denial or a push
    that settles stored fields explains them with these same words. One pass over the fields."""
    released: list[str] = []
    bases: set[str] = set()
    pending: list[str] = []
    roles: set[str] = set()
    withheld: list[str] = []
    for f in fields:
        if f["outcome"] == "RELEASE":
            released.append(f["field"])
            bases.update(f.get("basis") or ())
        elif f["outcome"] == "PENDING":
            pending.append(f["field"])
            roles.update(f.get("approver_roles") or ())
        else:
            withheld.append(f"Withheld {f['field']}: {', '.join(f.get('reasons') or ())} "
                            f"({', '.join(f.get('rules') or ())}).")
    parts = [f"Decision {decision}."]
    if released:
        parts.append(f"Released {', '.join(released)} on {', '.join(sorted(bases))}.")
    if pending:
        who = " or ".join(sorted(roles)) if roles else "the end of a legal hold or a missing record"
        parts.append(f"Waiting for {who}: {', '.join(pending)}.")
    return " ".join(parts + withheld)


def build(res: Resolved | None, fields: list[FieldDecision], tokens: dict[str, str], version: str,
          auto_release: Mapping[str, str]) -> Decision:
    kind = decision_kind(fields)
    notice, uses = restrictions(res, fields) if res is not None else (False, ())
    rules = tuple(dict.fromkeys(chain.from_iterable(f.rules for f in fields)))
    explanation = explain(kind.value, [f.to_json() for f in fields])
    return Decision(kind, tuple(fields), uses, notice, auto_rule(kind, fields, tokens, auto_release), explanation,
                    version, rules)
