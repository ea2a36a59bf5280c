"""The worked examples decide as written at the engine level (issue 4): the first decision of every request step."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.policy.engine import PolicyEngine
from app.policy.scenario import World
from tests.policy.expect import check

SHARED = Path("/work/shared/examples")
POLICIES = Path(__file__).resolve().parents[2] / "policies"
ACTIONS = ("request", "preview", "approve", "deny", "get_request", "queue", "consent", "revoke_consent",
           "list_consents", "emergency", "end_emergency", "legal_order", "validate_order", "parent_notice", "report",
           "get_record", "audit_events", "audit_verify", "http")


def _load(path: Path) -> Any:
    # The runner keeps dates as strings; so do we (BaseLoader would lose bools), via a resolver-free load.
    return yaml.safe_load(path.read_text())


def _scenarios() -> list[Path]:
    return sorted(SHARED.glob("SC-*.yaml")) if SHARED.is_dir() else []


@pytest.fixture(scope="module")
def engine() -> PolicyEngine:
    return PolicyEngine.load(POLICIES)


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared examples not mounted")
@pytest.mark.parametrize("path", _scenarios(), ids=lambda p: p.stem)
def test_example(path: Path, engine: PolicyEngine) -> None:
    fixture = _load(SHARED / "fixture.yaml")
    scenario = _load(path)
    now = datetime.fromisoformat(str(scenario.get("now") or fixture["now"]))
    world = World(fixture, scenario.get("setup"), now)
    problems: list[str] = []
    for i, step in enumerate(scenario.get("steps") or []):
        action = next(a for a in ACTIONS if a in step)
        ctx = world.apply(action, step[action], engine.generic_phrases)
        if action != "request" or ctx is None:
            continue
        decision = engine.decide(ctx)
        name = step[action].get("as")
        if name:
            world.bound[name] = name
        expect = step.get("expect") or {}
        requested = list(ctx.request.fields)
        errs = check(decision, expect, requested, world.district.redisclosure_notice_version)
        problems += [f"step {i} ({name}): {e}" for e in errs]
    assert not problems, "\n".join(problems)
