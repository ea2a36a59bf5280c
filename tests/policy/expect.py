"""Checks a Decision against an acceptance `expect` block (shared/acceptance/FORMAT.md sections 4.2 and 4.3)."""

from __future__ import annotations

from typing import Any

from app.policy.types import REASON_ORDER, Decision, Outcome


def _list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list | tuple | set) else [v]


def check(decision: Decision, expect: dict[str, Any], requested: list[str], notice_version: str) -> list[str]:
    errs: list[str] = []
    fields = {f.field: f for f in decision.fields}
    for name in requested:
        if name != "*" and name not in fields:
            errs.append(f"no entry for requested field {name}")
    for f in decision.fields:
        ordered = sorted(f.reasons, key=REASON_ORDER.index)
        if f.outcome is Outcome.WITHHOLD and (not f.reasons or f.reason != f.reasons[0] or list(f.reasons) != ordered):
            errs.append(f"{f.field}: reasons {f.reasons} not ordered / reason {f.reason}")
    if "decision" in expect and decision.decision.value not in _list(expect["decision"]):
        errs.append(f"decision {decision.decision.value}, expected {expect['decision']}")
    released = {f.released_as or f.field for f in decision.fields if f.outcome is Outcome.RELEASE}
    if "release" in expect and released != set(expect["release"]):
        errs.append(f"release {sorted(released)}, expected {sorted(expect['release'])}")
    pending = {f.field for f in decision.fields if f.outcome is Outcome.PENDING}
    if "pending" in expect and pending != set(expect["pending"]):
        errs.append(f"pending {sorted(pending)}, expected {sorted(expect['pending'])}")
    subs = expect.get("substitutes") or {}
    for want, got_as in subs.items():
        fd = fields.get(want)
        if fd is None or fd.released_as != got_as:
            errs.append(f"substitute for {want}: {fd.released_as if fd else None}, expected {got_as}")
    if "withhold" in expect:
        want = dict(expect["withhold"] or {})
        star = want.pop("*", None)
        named = set(want) | set(expect.get("release") or []) | set(expect.get("pending") or []) | set(subs)
        if star is not None:
            for name in requested:
                if name not in named:
                    want[name] = star
        withheld = {f.field for f in decision.fields if f.outcome is Outcome.WITHHOLD}
        if withheld != set(want):
            errs.append(f"withhold {sorted(withheld)}, expected {sorted(want)}")
        for name, codes in want.items():
            fd = fields.get(name)
            if fd is not None and fd.outcome is Outcome.WITHHOLD and not set(fd.reasons) & set(_list(codes)):
                errs.append(f"{name}: reasons {fd.reasons}, expected one of {codes}")
    for role in _list(expect.get("approver_roles") or []):
        for f in decision.fields:
            if f.outcome is Outcome.PENDING and role not in f.approver_roles:
                errs.append(f"{f.field}: approver_roles {f.approver_roles} lack {role}")
    for name, bases in (expect.get("basis") or {}).items():
        targets = [f for f in decision.fields if f.outcome is not Outcome.WITHHOLD and (name == "*" or f.field == name)]
        for f in targets:
            missing = set(_list(bases)) - set(f.basis)
            if missing:
                errs.append(f"{f.field}: basis {f.basis} lacks {sorted(missing)}")
    if "notice" in expect:
        n = expect["notice"]
        if n is False and decision.notice_required:
            errs.append("notice attached, expected none")
        if n is not False and not decision.notice_required:
            errs.append("no notice, expected one")
        if isinstance(n, dict):
            if n.get("version") and n["version"] != notice_version:
                errs.append(f"notice version {notice_version}, expected {n['version']}")
            for r in _list(n.get("use_restrictions") or []):
                if r not in decision.use_restrictions:
                    errs.append(f"use_restrictions {decision.use_restrictions} lack {r}")
            for m in _list(n.get("mentions") or []):
                if not any(m in r for r in decision.use_restrictions):
                    errs.append(f"no use restriction mentions {m}")
    return errs
