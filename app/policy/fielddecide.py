"""One field: resolve its basis in Python, then ask the compiled legal table for every tag it carries.

A field is released only when every tag's verdict permits it; any withhold wins, and then every bar and missing
basis found (Python's request-level bars, every matching withhold row, every basis tried) is listed (API.md section 7).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.policy.candidate import REDISCLOSURE_OK, Candidate, Missing
from app.policy.context import Resolved
from app.policy.table import CompiledTable, Verdict
from app.policy.tags import FieldInfo
from app.policy.types import FieldDecision, Outcome, order_reasons


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class FieldResult:
    decision: FieldDecision
    token: str


def withhold(name: str, reasons: list[Missing]) -> FieldDecision:
    ordered = order_reasons([m.code for m in reasons]) or ("W_NO_BASIS",)
    rank = {code: i for i, code in enumerate(ordered)}
    rules = _dedupe([m.rule for m in sorted(reasons, key=lambda m: rank.get(m.code, 99))]) or ("R-GATE-1",)
    return FieldDecision(name, Outcome.WITHHOLD, reason=ordered[0], reasons=ordered, rules=rules)


def decide_field(
    res: Resolved,
    info: FieldInfo,
    cand: Candidate | None,
    missing: list[Missing],
    bars: list[Missing],
    table: CompiledTable,
) -> FieldResult:
    token = cand.token if cand else "none"
    verdicts: list[Verdict] = [table.lookup(res.status, tag, res.purpose, token) for tag in sorted(info.tags)]
    found = list(bars)
    if res.redisclosure and token not in REDISCLOSURE_OK:
        found.append(Missing("W_REDISCLOSURE", "R-USE-4"))
    table_bars = [Missing(row.outcome.split(":", 1)[1], row.rule) for v in verdicts for row in v.withholds]
    denied = any(v.outcome.startswith("withhold:") for v in verdicts)
    if found or denied or cand is None:
        return FieldResult(withhold(info.name, found + table_bars + missing), token)
    roles: list[str] = []
    hold_reason: str | None = None
    held = False
    for v in verdicts:
        outcome = v.outcome
        if outcome.startswith("hold/"):
            held, hold_reason = True, outcome.split("/", 1)[1]
        elif outcome.startswith("approve:"):
            spec, _, reason = outcome[len("approve:"):].partition("/")
            roles.extend(spec.split("|"))
            hold_reason = hold_reason or reason or None
    rules = _dedupe(list(cand.rules) + [v.rule for v in verdicts])
    pending = held or bool(roles) or cand.waiting_for is not None
    decision = FieldDecision(
        info.name,
        Outcome.PENDING if pending else Outcome.RELEASE,
        basis=cand.basis,
        reason=hold_reason if pending else None,
        rules=rules,
        approver_roles=() if held else _dedupe(roles),
        released_as=cand.released_as,
        waiting_for=cand.waiting_for,
        hold_until=cand.hold_until,
        advisory=cand.advisory,
    )
    return FieldResult(decision, token)
