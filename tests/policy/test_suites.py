"""The policy suites pass, and every field-deciding rule of RULES.md is exercised by some case (issue 4)."""

from __future__ import annotations

from pathlib import Path

from app.policy.rules_catalogue import FIELD_DECIDING, RULE_IDS
from app.policy.suites import run_policy_suites, suite_report

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def test_suites_pass() -> None:
    passed, failed, messages = run_policy_suites(POLICIES)
    assert failed == 0, "\n".join(messages)
    assert passed >= len(FIELD_DECIDING)


def test_every_field_deciding_rule_is_exercised() -> None:
    report = suite_report(POLICIES)
    missing = [r for r in FIELD_DECIDING if r not in report.exercised]
    assert not missing, f"rules no suite case exercises: {missing}"
    assert report.exercised <= set(RULE_IDS)


def test_a_broken_policy_dir_is_a_failed_run(tmp_path: Path) -> None:
    passed, failed, messages = run_policy_suites(tmp_path)
    assert (passed, failed) == (0, 1) and "invalid" in messages[0]
