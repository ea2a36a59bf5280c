"""`gatekeeper policy diff OLD_DIR NEW_DIR`: what a policy change does to the project's decisions.

The decision corpus (app/policy/corpus.py: the worked examples, the project scenarios, the suites of OLD_DIR and the
random sweep over its fixture) is built once, under OLD_DIR (its suites, fixture, purposes and generic emergency
phrases; a case only NEW_DIR's suites have is new, not changed), and every context is decided under both policies. A
decision changes when its request-level answer or any field's JSON changes; the report names the case, then each
changed request-level value and each changed field with its outcome, reason or basis and rules before -> after.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.policy.corpus import corpus
from app.policy.engine import PolicyEngine
from app.policy.table import PolicyError
from app.policy.types import Decision

# Request-level values compared; the explanation is compared too but only reported as changed (it is long prose).
_REQUEST_KEYS = ("decision", "use_restrictions", "notice_required", "auto_release_rule", "rules")
# A field's summary on one line; any other key of FieldDecision.to_json that differs gets a line of its own.
_SUMMARY_KEYS = ("field", "outcome", "reason", "basis", "rules")


@dataclass(frozen=True)
class Change:
    case: str
    lines: tuple[str, ...]


def load(policy_dir: Path) -> PolicyEngine:
    """PolicyEngine.load, any failure reported as a PolicyError naming the directory."""
    try:
        return PolicyEngine.load(policy_dir)
    except Exception as exc:  # noqa: BLE001 - a policy that does not load is one answer, whatever raised
        raise PolicyError(str(exc) if str(policy_dir) in str(exc) else f"{policy_dir}: {exc}") from exc


def _label(path: Path) -> str:
    return path.name


def _fmt(value: Any) -> str:
    if value is None or value == []:
        return "-"
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _side(field: dict[str, Any] | None) -> str:
    if field is None:
        return "(not decided)"
    basis = f"basis {_fmt(field['basis'])}" if field.get("basis") else None
    parts = (field["outcome"], field.get("reason"), basis, f"[{_fmt(field['rules'])}]")
    return " ".join(p for p in parts if p)


def decision_differences(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """How decision JSON `new` differs from `old` (Decision.to_json; the policy version is not compared): each
    changed request-level value, then each changed field with both sides whole (None where it was not decided)."""
    found: list[dict[str, Any]] = [{"what": k, "before": old.get(k), "after": new.get(k)} for k in _REQUEST_KEYS
                                   if old.get(k) != new.get(k)]
    olds = {f["field"]: f for f in old["fields"]}
    news = {f["field"]: f for f in new["fields"]}
    found += [{"what": "field", "field": name, "before": olds.get(name), "after": news.get(name)}
              for name in dict.fromkeys([*olds, *news]) if olds.get(name) != news.get(name)]
    if not found and old.get("explanation") != new.get("explanation"):
        found.append({"what": "explanation", "before": old.get("explanation"), "after": new.get("explanation")})
    return found


def changes(before: Decision, after: Decision) -> list[str]:
    """The lines that describe how `after` differs from `before` (empty: the same decision)."""
    lines = []
    for change in decision_differences(before.to_json(), after.to_json()):
        what, a, b = change["what"], change["before"], change["after"]
        if what == "explanation":
            lines.append("  explanation: changed")  # long prose: only reported as changed
        elif what != "field":
            lines.append(f"  {what}: {_fmt(a)} -> {_fmt(b)}")
        else:
            lines.append(f"  {change['field']}: {_side(a)} -> {_side(b)}")
            for key in sorted({*(a or {}), *(b or {})} - set(_SUMMARY_KEYS)):
                if (a or {}).get(key) != (b or {}).get(key):
                    lines.append(f"    {key}: {_fmt((a or {}).get(key))} -> {_fmt((b or {}).get(key))}")
    return lines


def diff_policies(old_dir: Path, new_dir: Path) -> tuple[int, list[Change]]:
    """(number of decisions compared, the changed ones in corpus order). Raises PolicyError if either does not load."""
    old, new = load(old_dir), load(new_dir)
    try:
        cases = corpus(old, old_dir, _label)
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{old_dir}: the corpus cannot be built from its tests/: {exc}") from exc
    found = []
    for case, ctx in cases:
        lines = changes(old.decide(ctx), new.decide(ctx))
        if lines:
            found.append(Change(case, tuple(lines)))
    return len(cases), found


def render(compared: int, found: list[Change]) -> str:
    out = [line for change in found for line in (change.case, *change.lines)]
    out.append(f"{len(found)} of {compared} decisions changed")
    return "\n".join(out) + "\n"
