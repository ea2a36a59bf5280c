"""The compiled lookup table agrees with Casbin's enforce_ex; the loader refuses invalid policy directories."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import pytest

from app.policy.engine import CasbinOracle, PolicyEngine, PolicyError
from app.policy.table import CompiledTable

POLICIES = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(scope="module")
def engine() -> PolicyEngine:
    return PolicyEngine.load(POLICIES)


@pytest.fixture(scope="module")
def oracle() -> CasbinOracle:
    return CasbinOracle(POLICIES)


def _agree(table: CompiledTable, oracle: CasbinOracle, key: tuple[str, str, str, str]) -> None:
    verdict = table.lookup(*key)
    allowed, explain = oracle.enforce_ex(*key)
    expected = (verdict.row.eft == "allow", verdict.row.as_list()) if verdict.row else (False, [])
    assert (allowed, explain) == expected, key


def test_every_named_tuple_agrees(engine: PolicyEngine, oracle: CasbinOracle) -> None:
    groups = oracle.groups()
    domains = engine.table.domains
    columns = ("status", "tag", "purpose", "basis")
    fn = {"status": "g", "tag": "g2", "purpose": "g3", "basis": "g4"}
    checked = 0
    for row in engine.rows():
        values = []
        for col in columns:
            v = getattr(row, col)
            members = [m for m, g in groups[fn[col]] if g == v]
            if v == "*":
                values.append(sorted(domains[col])[:3])
            else:
                values.append([x for x in [v, *members] if x in domains[col]][:6] or [v])
        for s in values[0]:
            for t in values[1]:
                for p in values[2]:
                    for b in values[3]:
                        _agree(engine.table, oracle, (s, t, p, b))
                        checked += 1
    assert checked > 500


def test_random_tuples_agree(engine: PolicyEngine, oracle: CasbinOracle) -> None:
    rng = random.Random(4)
    domains = {k: sorted(v) for k, v in engine.table.domains.items()}
    for _ in range(10_000):
        key = tuple(rng.choice(domains[c]) for c in ("status", "tag", "purpose", "basis"))
        _agree(engine.table, oracle, key)  # type: ignore[arg-type]


def test_withhold_reasons_collect_every_matching_deny_row(engine: PolicyEngine) -> None:
    verdict = engine.table.lookup("school_official", "IMMIGRATION", "LE_RESPONSE", "consent_lift")
    codes = [r.outcome for r in verdict.withholds]
    assert codes == ["withhold:W_IMMIGRATION_MOU"]
    verdict = engine.table.lookup("le_other", "RELIGION", "DISCIPLINE", "none")
    assert [r.rule for r in verdict.withholds] == ["R-LEI-2", "R-37L-3"]


def test_load_is_fast_and_versioned(engine: PolicyEngine) -> None:
    start = time.perf_counter()
    again = PolicyEngine.load(POLICIES)
    assert time.perf_counter() - start < 3.0
    assert again.version == engine.version and engine.version.startswith("sha256:")
    assert "R-GATE-1" in engine.rule_ids() and "LE_RESPONSE" in engine.purposes()
    assert engine.field_tag("home_address") == "NEIGHBORHOOD" and engine.field_tag("bogus") == "UNCLASSIFIED"
    assert engine.field_tag("clinician_disclosure_memo:9") == "PRIVILEGED"
    assert engine.notice_text("RN-2024-1") and engine.notice_text("RN-0") is None
    assert "iep:{date}:{section}" in engine.field_tags()
    assert "none" in engine.table.domains["basis"] and "consent_lift" in engine.bases.bases


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    target = tmp_path / "p"
    shutil.copytree(POLICIES, target)
    path = target / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return target


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("policy.csv", "p, 100, R-GATE-1,", "p, 100, R-GATE-99,"),
        ("policy.csv", "p, 430, R-REC-3, *, LEU,", "p, 430, R-REC-3, *, ORDINARY,"),
        ("policy.csv", "allow, release", "allow, maybe"),
        ("fields.yaml", 'pattern: "iep:{date}:{section}"', 'pattern: "iep:{when}:{section}"'),
        ("fields.yaml", "tags: [GANG]", "tags: [GANGS]"),
        ("purposes.yaml", "sro_allowed:", "sro_allowd:"),
    ],
)
def test_invalid_policy_dir_is_refused(tmp_path: Path, name: str, old: str, new: str) -> None:
    with pytest.raises(PolicyError):
        PolicyEngine.load(_broken(tmp_path, name, old, new))
