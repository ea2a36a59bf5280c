"""Decision-engine speed: microseconds per field at 100, 1k and 10k policy rows (issue 4 target: <= 5 us at 10k).

Prints two figures per size: the legal-table lookup per field (what Casbin enforce() would cost on the hot path) and
a whole decide() per field over a realistic request. Run: .venv/bin/python benchmarks/decision.py
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.policy.engine import BASIS_TOKENS, PolicyEngine  # noqa: E402
from app.policy.scenario import World  # noqa: E402

POLICIES = ROOT / "policies"


def _with_rows(target: Path, extra: int) -> None:
    """Copy policies/ and pad policy.csv with explicit (non-wildcard) rows of low priority."""
    shutil.copytree(POLICIES, target)
    rng = random.Random(7)
    statuses = ["school_official", "sro_not_official", "le_other", "gang_db", "school", "non_le"]
    engine = PolicyEngine.load(POLICIES)
    tags, purposes = sorted(engine.table.domains["tag"]), sorted(engine.table.domains["purpose"])
    lines = []
    for i in range(extra):
        row = [str(1000 + i), "R-GATE-1", rng.choice(statuses), rng.choice(tags), rng.choice(purposes),
               rng.choice(sorted(BASIS_TOKENS)), "deny", "withhold:W_NO_BASIS"]
        lines.append("p, " + ", ".join(row))
    with (target / "policy.csv").open("a") as fh:
        fh.write("# benchmark padding rows\n" + "\n".join(lines) + "\n")


def main() -> None:
    fixture = yaml.safe_load((POLICIES / "tests" / "fixture.yaml").read_text())
    world = World(fixture, None, datetime.fromisoformat("2025-03-10T10:00:00-05:00"))
    fields = ["name", "photo", "grade_level", "class_schedule", "attendance_detail", "incident_report:INC-101",
              "religion", "home_address", "grades", "counseling_notes"]
    ctx = world.context("sro-1", {"student_id": "st-a", "purpose": "LE_RESPONSE", "incident_id": "INC-101",
                                  "fields": fields})
    base_rows = len(PolicyEngine.load(POLICIES).rows())
    for total in (100, 1_000, 10_000):
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "policies"
            _with_rows(target, max(total - base_rows, 0))
            start = time.perf_counter()
            engine = PolicyEngine.load(target)
            load_s = time.perf_counter() - start
            keys = list(engine.table.keys())[:5000] or [("le_other", "ORDINARY", "LE_RESPONSE", "none")]
            n = 200_000
            start = time.perf_counter()
            for i in range(n):
                engine.table.lookup(*keys[i % len(keys)])
            lookup_us = (time.perf_counter() - start) / n * 1e6
            reps = 2_000
            start = time.perf_counter()
            for _ in range(reps):
                engine.decide(ctx)
            decide_us = (time.perf_counter() - start) / (reps * len(fields)) * 1e6
            print(f"{len(engine.rows()):>6} rows: load {load_s:5.2f} s, table lookup {lookup_us:5.2f} us/field, "
                  f"full decide {decide_us:6.1f} us/field")


if __name__ == "__main__":
    main()
