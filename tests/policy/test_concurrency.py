"""32 threads x 1,000 decisions on one shared engine: zero errors and the same answers as single-threaded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import yaml

from app.policy.engine import PolicyEngine
from app.policy.facts import DecisionContext
from app.policy.scenario import World

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _contexts() -> list[DecisionContext]:
    fixture = yaml.safe_load((POLICIES / "tests" / "fixture.yaml").read_text())
    world = World(fixture, None, datetime.fromisoformat("2025-03-10T10:00:00-05:00"))
    bodies = [
        ("sro-1", {"student_id": "st-a", "purpose": "LE_RESPONSE", "incident_id": "INC-101",
                   "fields": ["name", "photo", "religion", "home_address", "grades", "counseling_notes"]}),
        ("det-1", {"student_id": "st-a", "purpose": "LE_RESPONSE", "fields": ["name", "grade_level"]}),
        ("sro-1", {"student_id": "st-a", "purpose": "DISCIPLINE", "fields": ["discipline_history"]}),
        ("fusion-1", {"student_id": "st-b", "purpose": "LE_RESPONSE", "fields": ["name"]}),
        ("sro-1", {"student_id": "st-a", "purpose": "EMERGENCY", "fields": ["photo", "immigration_status"]}),
    ]
    return [world.context(by, body) for by, body in bodies]


def test_32_threads_1000_decisions_each() -> None:
    engine = PolicyEngine.load(POLICIES)
    contexts = _contexts()
    expected = [engine.decide(c).to_json() for c in contexts]

    def worker(seed: int) -> int:
        mismatches = 0
        for i in range(1000):
            k = (seed + i) % len(contexts)
            if engine.decide(contexts[k]).to_json() != expected[k]:
                mismatches += 1
        return mismatches

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(worker, range(32)))
    assert results == [0] * 32
