"""One field: resolve its basis in Python, then ask the compiled legal table for every tag it carries.

A field is released only when every tag's verdict permits it; any withhold wins, and then every bar and missing
basis found (Python's request-level bars, every matching withhold row, every basis tried) is listed (API.md section 7).

Hot path: what the table says for a (status, tags, purpose, basis) tuple and how a list of reasons orders are pure
functions of hashable values over the immutable compiled table, so both are memoised (functools.lru_cache, which is
thread-safe); a cache never outlives the meaning of its key because the table object is part of the key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from app.policy.candidate import Candidate, Missing
from app.policy.context import Resolved
from app.policy.table import CompiledTable
from app.policy.tags import FieldInfo
from app.policy.types import FieldDecision, Outcome, order_reasons


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


class FieldResult(NamedTuple):
    decision: FieldDecision
    token: str


class TableAnswer(NamedTuple):
    """Every tag's verdict for one field, folded: the withhold rows as reasons, and how a permitted field waits."""

    bars: tuple[Missing, ...]
    denied: bool
    held: bool
    hold_reason: str | None
    roles: tuple[str, ...]
    rules: tuple[str, ...]  # the deciding row of each tag, in sorted-tag order


@lru_cache(maxsize=16384)
def table_answer(table: CompiledTable, status: str, tags: tuple[str, ...], purpose: str, token: str) -> TableAnswer:
    verdicts = [table.lookup(status, tag, purpose, token) for tag in tags]
    bars = tuple(Missing(row.outcome.split(":", 1)[1], row.rule) for v in verdicts for row in v.withholds)
    denied = any(v.outcome.startswith("withhold:") for v in verdicts)
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
    return TableAnswer(bars, denied, held, hold_reason, _dedupe(roles), tuple(v.rule for v in verdicts))


@lru_cache(maxsize=16384)
def merge_rules(rules: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """`rules` then `more`, each rule once."""
    return tuple(dict.fromkeys(rules + more))


@lru_cache(maxsize=16384)
def _withhold_parts(reasons: tuple[Missing, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(reason codes in API.md order, their rules in the same order); a function of the reasons alone."""
    ordered = order_reasons([m.code for m in reasons]) or ("W_NO_BASIS",)
    rank = {code: i for i, code in enumerate(ordered)}
    rules = _dedupe([m.rule for m in sorted(reasons, key=lambda m: rank.get(m.code, 99))]) or ("R-GATE-1",)
    return ordered, rules


def withhold(name: str, reasons: list[Missing] | tuple[Missing, ...]) -> FieldDecision:
    return _withheld(name, tuple(reasons))


@lru_cache(maxsize=16384)
def _withheld(name: str, reasons: tuple[Missing, ...]) -> FieldDecision:
    """Shared between decisions: a FieldDecision is immutable (frozen; its builders copy, never change one)."""
    ordered, rules = _withhold_parts(reasons)
    return FieldDecision.make(name, Outcome.WITHHOLD, (), ordered[0], ordered, rules, (), None, None, None, None)


def decide_field(
    res: Resolved,
    info: FieldInfo,
    cand: Candidate | None,
    missing: list[Missing],
    bars: list[Missing],
    table: CompiledTable,
    forwardable: frozenset[str],
) -> FieldResult:
    """`forwardable`: the tokens after which police may forward on the district's behalf (TokenRoles, R-USE-4)."""
    token = cand.token if cand else "none"
    answer = table_answer(table, res.status, info.sorted_tags, res.purpose, token)
    found = list(bars)
    if res.redisclosure and token not in forwardable:
        found.append(Missing("W_REDISCLOSURE", "R-USE-4"))
    if found or answer.denied or cand is None:
        return FieldResult(withhold(info.name, (*found, *answer.bars, *missing)), token)
    pending = answer.held or bool(answer.roles) or cand.waiting_for is not None
    decision = FieldDecision.make(
        info.name,
        Outcome.PENDING if pending else Outcome.RELEASE,
        cand.basis,
        answer.hold_reason if pending else None,
        (),
        merge_rules(cand.rules, answer.rules),
        () if answer.held else answer.roles,
        cand.released_as,
        cand.waiting_for,
        cand.hold_until,
        cand.advisory,
    )
    return FieldResult(decision, token)
