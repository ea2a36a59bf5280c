"""A fixed corpus of decision contexts and a digest of each decision, to pin decide() byte for byte.

The corpus is built by app/policy/corpus.py (shared with `gatekeeper policy diff`): every request of the worked
examples, the project scenarios and the policy suites, each again asking for every stored field, and a seeded random
sweep over the suite fixture. Keys carry a hash of their file, so a scenario edited by someone else is skipped, not
failed. A speed change to the engine must leave every digest unchanged. Regenerate (only for a deliberate change of
policy) with:
    .venv/bin/python -m tests.policy.golden
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from app.policy import corpus
from app.policy.engine import PolicyEngine
from app.policy.facts import DecisionContext

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
GOLDEN = Path(__file__).with_name("golden_decisions.json")


def digest(ctx: DecisionContext, engine: PolicyEngine) -> str:
    """sha256 of the decision's JSON without the policy version (which changes with any file in policies/)."""
    out = engine.decide(ctx).to_json()
    out.pop("policy_version", None)
    return hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest()[:24]


def scenario_corpus(engine: PolicyEngine) -> Iterator[tuple[str, DecisionContext]]:
    """The examples, the project scenarios and the shipped policy suites."""
    yield from corpus.scenario_corpus(engine)
    yield from corpus.suite_corpus(engine, POLICIES)


def random_corpus(engine: PolicyEngine, n: int = corpus.RANDOM_CASES, seed: int = corpus.SEED) -> Iterator[
        tuple[str, DecisionContext]]:
    return corpus.random_corpus(engine, POLICIES, n, seed)


def record(engine: PolicyEngine) -> dict[str, str]:
    return {key: digest(ctx, engine) for key, ctx in (*scenario_corpus(engine), *random_corpus(engine))}


if __name__ == "__main__":
    result = record(PolicyEngine.load(POLICIES))
    GOLDEN.write_text(json.dumps(result, indent=0, sort_keys=True) + "\n")
    print(f"{len(result)} decisions pinned in {GOLDEN}")
