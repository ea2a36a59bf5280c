"""A decision's facts as kept for replay (app/policy/snapshot.py): the same decision, no student value."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.policy import snapshot
from app.policy.corpus import corpus
from app.policy.engine import PolicyEngine
from app.policy.facts import EmergencyFacts, ReportFacts
from app.policy.validation import age_on
from tests.factories import PROJECT

POLICY_DIR = PROJECT / "policies"


@pytest.fixture(scope="module")
def engine() -> PolicyEngine:
    return PolicyEngine.load(POLICY_DIR)


def test_every_corpus_decision_is_the_same_on_its_kept_facts(engine: PolicyEngine) -> None:
    cases = corpus(engine, Path(POLICY_DIR))
    assert len(cases) > 3000  # suites and the random sweep, plus the scenarios where ../shared is beside
    changed = [key for key, ctx in cases
               if engine.decide(snapshot.restore(json.loads(json.dumps(snapshot.take(ctx))))).to_json()
               != engine.decide(ctx).to_json()]
    assert changed == []


@given(born=st.dates(date(1950, 1, 1), date(2024, 12, 31)),
       days=st.lists(st.dates(date(2000, 1, 1), date(2030, 12, 31)), min_size=1, max_size=2))
def test_the_stand_in_birth_date_keeps_every_age(born: date, days: list[date]) -> None:
    stand_in = snapshot.stand_in_birth_date(born, tuple(days))
    assert [age_on(stand_in, d) for d in days] == [age_on(born, d) for d in days]


def test_a_leap_day_birth_keeps_its_age_on_the_day_before_and_after_its_birthday() -> None:
    born = date(2008, 2, 29)
    for day in (date(2026, 2, 28), date(2026, 3, 1), date(2028, 2, 28), date(2028, 2, 29)):
        assert age_on(snapshot.stand_in_birth_date(born, (day,)), day) == age_on(born, day)


def test_names_threats_justification_texts_birth_date_and_home_language_are_not_kept(engine: PolicyEngine) -> None:
    key, ctx = next((k, c) for k, c in corpus(engine, Path(POLICY_DIR)) if c.student is not None)
    assert ctx.student is not None
    when = datetime(2025, 3, 10, 9, tzinfo=UTC)
    emergency = EmergencyFacts("em-1", ctx.student.school_id, frozenset({ctx.student.id}),
                               "a synthetic threat description", "imminent", when, when + timedelta(hours=4), None,
                               frozenset({"sro-1"}), {"photo": "identify"})
    report = ReportFacts("rp-1", "GERMANE_FINDING", ctx.student.id, None, "prin-1", "principal", None,
                         frozenset({"grades"}), justifications={"grades": "a synthetic justification", "photo": " "})
    caller = replace(ctx.request.caller, name="Officer Synthetic", title="Synthetic title")
    student = replace(ctx.student, date_of_birth=date(2009, 6, 14), home_language="synthetic-language")
    full = replace(ctx, student=student, request=replace(
        ctx.request, caller=caller, requester=caller, recipient=caller, emergency=emergency, report=report,
        student_emergencies=(emergency,), student_reports=(report,)))
    kept = json.dumps(snapshot.take(full))
    for value in ("a synthetic threat description", "a synthetic justification", "Officer Synthetic",
                  "Synthetic title", "2009-06-14", "synthetic-language"):
        assert value not in kept, (key, value)
    restored = snapshot.restore(json.loads(kept))
    assert restored.request.report is not None
    # Whether a justification was given is kept: the germane-finding condition reads it.
    assert restored.request.report.justifications == {"grades": snapshot.JUSTIFICATION_GIVEN, "photo": ""}
    assert engine.decide(restored).to_json() == engine.decide(full).to_json()


def test_an_unknown_snapshot_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        snapshot.restore({"format": 99, "context": {}})
