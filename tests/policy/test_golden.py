"""decide() gives exactly the pinned decision for every context of the golden corpus (tests/policy/golden.py).

Guards speed work on the engine: any change to a decision, a reason, a rule or the explanation shows up here.
Corpus keys whose scenario file changed since recording are not in the golden file and are skipped.
"""

from __future__ import annotations

import json

from app.policy.engine import PolicyEngine
from tests.policy.golden import GOLDEN, POLICIES, digest, random_corpus, scenario_corpus


def test_every_pinned_decision_is_unchanged() -> None:
    engine = PolicyEngine.load(POLICIES)
    pinned: dict[str, str] = json.loads(GOLDEN.read_text())
    seen, changed = 0, []
    for key, ctx in (*scenario_corpus(engine), *random_corpus(engine)):
        if key not in pinned:
            continue
        seen += 1
        if digest(ctx, engine) != pinned[key]:
            changed.append(key)
    assert seen >= 0.8 * len(pinned), f"only {seen} of {len(pinned)} pinned contexts were rebuilt"
    assert not changed, f"{len(changed)} decisions changed, e.g. {changed[:10]}"
