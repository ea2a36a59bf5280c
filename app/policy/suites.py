"""Policy test suites (policies/tests/*_test.yaml), run by `gatekeeper policy test` and by the test suite.

A case either names a table tuple (`table: {status, tag, purpose, basis}`) and the outcome and rule the legal table
must give, or describes a request over the suite's fixture (`request`, optional `setup`, `now` and artifact `steps`
in the acceptance format) with the expected decision and per-field outcome, reason and rule. Every case names the
rule it exercises (Cerbos-style), so a rule no case exercises is visible (`SuiteReport.exercised`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from app.policy.engine import PolicyEngine
from app.policy.scenario import World
from app.policy.types import Decision

_ACTIONS = ("consent", "revoke_consent", "emergency", "end_emergency", "legal_order", "validate_order",
            "parent_notice", "report")


@dataclass
class SuiteReport:
    passed: int = 0
    failed: int = 0
    messages: list[str] = field(default_factory=list)
    exercised: set[str] = field(default_factory=set)


def _check_request(decision: Decision, expect: dict[str, Any]) -> list[str]:
    errs: list[str] = []
    if "decision" in expect and decision.decision.value != expect["decision"]:
        errs.append(f"decision {decision.decision.value} != {expect['decision']}")
    for name, want in (expect.get("fields") or {}).items():
        fd = decision.field(name)
        if fd is None:
            errs.append(f"{name}: no decision")
            continue
        if "outcome" in want and fd.outcome.value != want["outcome"]:
            errs.append(f"{name}: outcome {fd.outcome.value} != {want['outcome']} ({fd.reasons})")
        if "reason" in want and want["reason"] not in fd.reasons and fd.reason != want["reason"]:
            errs.append(f"{name}: reasons {fd.reasons or fd.reason} lack {want['reason']}")
        if "rule" in want and want["rule"] not in fd.rules:
            errs.append(f"{name}: rules {fd.rules} lack {want['rule']}")
        for key in ("basis", "approver_roles"):
            missing = set(want.get(key) or ()) - set(getattr(fd, key))
            if missing:
                errs.append(f"{name}: {key} {getattr(fd, key)} lacks {sorted(missing)}")
        for key in ("released_as", "waiting_for", "advisory"):
            if key in want and getattr(fd, key) != want[key]:
                errs.append(f"{name}: {key} {getattr(fd, key)} != {want[key]}")
    return errs


def _run_case(engine: PolicyEngine, fixture: dict[str, Any], case: dict[str, Any]) -> list[str]:
    expect = case.get("expect") or {}
    if "table" in case:
        t = case["table"]
        verdict = engine.table.lookup(t["status"], t["tag"], t["purpose"], t["basis"])
        errs = []
        if verdict.outcome != expect.get("outcome"):
            errs.append(f"outcome {verdict.outcome} != {expect.get('outcome')}")
        if verdict.rule != case["rule"]:
            errs.append(f"rule {verdict.rule} != {case['rule']}")
        return errs
    now = datetime.fromisoformat(str(case.get("now") or fixture["now"]))
    world = World(fixture, case.get("setup"), now)
    for step in case.get("steps") or []:
        action = next(a for a in _ACTIONS if a in step)
        world.apply(action, step[action], engine.generic_phrases)
    request = case["request"]
    ctx = world.context(request.get("by", "admin"), world.ref(request.get("body") or {}))
    decision = engine.decide(ctx)
    errs = _check_request(decision, expect)
    named = {w.get("rule") for w in (expect.get("fields") or {}).values()}
    if case["rule"] not in named:
        errs.append(f"case rule {case['rule']} is not expected on any field")
    return errs


def run_policy_suites(policy_dir: Path) -> tuple[int, int, list[str]]:
    """Run every suite; returns (passed, failed, messages). Messages name the suite, the case and the problem."""
    report = suite_report(policy_dir)
    return report.passed, report.failed, report.messages


def suite_report(policy_dir: Path) -> SuiteReport:
    report = SuiteReport()
    policy_dir = Path(policy_dir)
    try:
        engine = PolicyEngine.load(policy_dir)
    except Exception as exc:  # noqa: BLE001 - a broken policy directory is a failed run, not a crash
        report.failed += 1
        report.messages.append(f"policy directory invalid: {exc}")
        return report
    for path in sorted((policy_dir / "tests").glob("*_test.yaml")):
        suite = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        fixture = yaml.safe_load((path.parent / suite.get("fixture", "fixture.yaml")).read_text(encoding="utf-8"))
        for i, case in enumerate(suite.get("tests") or []):
            label = f"{path.name} #{i} {case.get('name', '')}".strip()
            try:
                errs = _run_case(engine, fixture, case)
            except Exception as exc:  # noqa: BLE001 - report the broken case and go on
                errs = [f"error: {exc!r}"]
            if errs:
                report.failed += 1
                report.messages += [f"FAIL {label}: {e}" for e in errs]
            else:
                report.passed += 1
                report.exercised.add(str(case.get("rule")))
    return report
