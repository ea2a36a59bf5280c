"""`gatekeeper policy diff` (issue 13 item 5): every decision of the corpus that a policy change changes, no other."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from app.policy.corpus import corpus
from app.policy.engine import PolicyEngine
from app.policy.types import Decision

POLICIES = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()


def _copy(tmp_path: Path) -> Path:
    new = tmp_path / "policies"
    shutil.copytree(POLICIES, new)
    return new


def _json(decision: Decision) -> dict[str, object]:
    out = decision.to_json()
    out.pop("policy_version")
    return out


def _cases(output: str) -> set[str]:
    """The case names the report prints: every line that is neither indented nor the closing count."""
    return {line for line in output.splitlines()[:-1] if line and not line.startswith(" ")}


def test_the_shipped_policy_against_itself_changes_nothing() -> None:
    result = runner.invoke(app, ["policy", "diff", str(POLICIES), str(POLICIES)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 of ") and result.output.endswith(" decisions changed\n")


def test_one_field_removed_from_a_purpose_prints_exactly_the_decisions_it_changes(tmp_path: Path) -> None:
    new = _copy(tmp_path)
    purposes = new / "purposes.yaml"
    row = "  IMMEDIATE_SAFETY:\n    fields: [name, photo, grade_level, class_schedule]\n"
    assert row in purposes.read_text()
    purposes.write_text(purposes.read_text().replace(row, row.replace(", class_schedule", "")))

    # Independently of the report: decide the corpus under both and keep the cases whose whole decision differs.
    old_engine, new_engine = PolicyEngine.load(POLICIES), PolicyEngine.load(new)
    expected, now_withheld = set(), set()
    for case, ctx in corpus(old_engine, POLICIES, lambda p: p.name):
        before, after = old_engine.decide(ctx), new_engine.decide(ctx)
        if _json(before) != _json(after):
            expected.add(case)
        was, now = before.field("class_schedule"), after.field("class_schedule")
        if was and now and was.outcome != now.outcome:
            now_withheld.add(case)
    assert now_withheld and now_withheld < expected  # outcomes changed, and reasons and rules of more decisions

    result = runner.invoke(app, ["policy", "diff", str(POLICIES), str(new)])
    assert result.exit_code == 1, result.output
    assert _cases(result.output) == expected
    assert result.output.splitlines()[-1].startswith(f"{len(expected)} of ")
    fields = {line.split(":")[0].strip() for line in result.output.splitlines() if line.startswith("  ")
              and not line.startswith("   ")}
    assert fields <= {"class_schedule", "decision", "use_restrictions", "notice_required", "auto_release_rule",
                      "rules", "explanation"}
    assert "-> WITHHOLD W_NOT_RELEVANT [R-LEI-5" in result.output


def test_a_policy_that_does_not_load_exits_2(tmp_path: Path) -> None:
    new = _copy(tmp_path)
    with (new / "policy.csv").open("a") as csv:
        csv.write("p, 999, R-NOT-A-RULE, *, ORDINARY, *, so, allow, release\n")
    result = runner.invoke(app, ["policy", "diff", str(POLICIES), str(new)])
    assert result.exit_code == 2
    assert "R-NOT-A-RULE" in result.output
