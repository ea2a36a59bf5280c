"""Property tests of the engine's safety invariants (issue 4), over random requests built from the suite fixture."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.policy import resolve as resolve_module
from app.policy.context import is_law_enforcement
from app.policy.engine import PolicyEngine
from app.policy.facts import ConsentFacts, DecisionContext, EmergencyFacts, LegalOrderFacts, RequestFacts
from app.policy.scenario import World
from app.policy.types import Outcome

POLICIES = Path(__file__).resolve().parents[2] / "policies"
ENGINE = PolicyEngine.load(POLICIES)
FIXTURE = yaml.safe_load((POLICIES / "tests" / "fixture.yaml").read_text())
NOW = datetime.fromisoformat("2025-03-10T10:00:00-05:00")
WORLD = World(FIXTURE, {"students": {"st-a": {"fields": {"family:mother:religion": "Family faith noted on a form"}}}},
              NOW)
PURPOSES = sorted(ENGINE.components.purposes.all_purposes()) + ["NOT_A_PURPOSE"]
CATEGORIES = ["IMMIGRATION", "CITIZENSHIP", "NEIGHBORHOOD", "RELIGION", "NATIONAL_ORIGIN", "ETHNICITY", "GANG"]
ALL_FIELDS = sorted({n for s in WORLD.students.values() for n in s.field_names} | {"unknown_field", "*"})
LIFTS = {"37L_GERMANE", "37L_X1_51A", "37L_X2_CONSENT", "37L_X3_COURT", "37L_X4_EMERGENCY", "37L_X5_WEAPON"}
FERPA = {"FERPA_SCHOOL_OFFICIAL", "FERPA_CONSENT", "FERPA_EMERGENCY", "FERPA_JUDICIAL", "FERPA_DIRECTORY",
         "FERPA_STATE_ED", "NOT_EDUCATION_RECORD_LEU", "DEIDENTIFIED"}
SETTINGS = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def contexts(draw: st.DrawFn) -> DecisionContext:
    users = sorted(WORLD.users)
    sid = draw(st.sampled_from(sorted(WORLD.students)))
    student = WORLD.students[sid]
    fields = tuple(draw(st.lists(st.sampled_from(ALL_FIELDS), min_size=1, max_size=6)))
    requester = WORLD.users[draw(st.sampled_from(users))]
    recipient = WORLD.users[draw(st.sampled_from(users))] if draw(st.booleans()) else None
    consents: tuple[ConsentFacts, ...] = ()
    if draw(st.booleans()):
        consents = (ConsentFacts(
            "c1", sid, "parent-ana", draw(st.sampled_from(["parent", "student"])), date(2025, 3, 1), True, True,
            True, "en", frozenset(draw(st.lists(st.sampled_from(ALL_FIELDS), max_size=5))),
            frozenset(draw(st.lists(st.sampled_from(CATEGORIES), max_size=3))), draw(st.sampled_from(PURPOSES)),
            frozenset({(recipient or requester).id, "agency:Harbor PD"}), date(2025, 6, 30), draw(st.booleans()), (),
            None, NOW),)
    emergency = None
    if draw(st.booleans()):
        start = NOW - timedelta(hours=draw(st.integers(0, 6)))
        emergency = EmergencyFacts(
            "em1", student.school_id, frozenset({sid}), "specific threat facts", "imminent", start,
            start + timedelta(hours=4), None, frozenset({(recipient or requester).id}),
            {f: "needed" for f in draw(st.lists(st.sampled_from(ALL_FIELDS), max_size=6))})
    order = None
    if draw(st.booleans()):
        order = LegalOrderFacts(
            "o1", draw(st.sampled_from(["COURT_ORDER", "SUBPOENA", "ADMIN_SUBPOENA", "ADMIN_WARRANT", "DETAINER"])),
            sid, frozenset(draw(st.lists(st.sampled_from(ALL_FIELDS), max_size=5))),
            frozenset(draw(st.lists(st.sampled_from(CATEGORIES), max_size=3))), (recipient or requester).id,
            draw(st.booleans()), draw(st.booleans()), (), draw(st.sampled_from(["received", "validated", "rejected"])),
            "cnsl-1", NOW - timedelta(days=1), None)
    incident = WORLD.incidents["INC-101"] if draw(st.booleans()) else None
    request = RequestFacts(
        purpose=draw(st.sampled_from(PURPOSES)), fields=fields, caller=requester, requester=requester,
        recipient=recipient, destination=draw(st.sampled_from([None, None, "DISTRICT_ATTORNEY", "GANG_DATABASE"])),
        identified_by=draw(st.sampled_from(["name", "incident"])), case_id=draw(st.sampled_from([None, "TA-1"])),
        incident=incident, incident_id_given=incident is not None, emergency=emergency,
        emergency_id_given=emergency is not None, consents=consents, consent_id_given=bool(consents),
        legal_order=order, legal_order_id_given=order is not None, services_notice_on_file=draw(st.booleans()),
    )
    return DecisionContext(NOW, WORLD.district, student, request)


def _tags(name: str) -> frozenset[str]:
    return ENGINE.components.catalogue.classify(name).tags


@SETTINGS
@given(contexts())
def test_37l_never_released_to_law_enforcement_without_lift_and_ferpa_basis(ctx: DecisionContext) -> None:
    request = ctx.request
    recipient = request.recipient or request.requester
    assert recipient is not None
    decision = ENGINE.decide(ctx)
    if not is_law_enforcement(recipient):
        return
    for fd in decision.fields:
        info = ENGINE.components.catalogue.classify(fd.field)
        if fd.outcome is Outcome.RELEASE and info.categories_37l and fd.released_as is None:
            assert set(fd.basis) & LIFTS, fd
            assert set(fd.basis) & FERPA, fd


@SETTINGS
@given(contexts())
def test_immigration_status_only_under_validated_compulsory_order(ctx: DecisionContext) -> None:
    decision = ENGINE.decide(ctx)
    order = ctx.request.legal_order
    recipient = ctx.request.recipient or ctx.request.requester
    assert recipient is not None
    for fd in decision.fields:
        if fd.outcome is Outcome.RELEASE and "IMMIGRATION" in _tags(fd.field) and is_law_enforcement(recipient):
            assert order is not None and order.status == "validated" and order.valid
            assert order.kind not in ("ADMIN_WARRANT", "DETAINER") and "FERPA_JUDICIAL" in fd.basis


@SETTINGS
@given(contexts())
def test_nothing_outside_the_requested_fields_is_released(ctx: DecisionContext) -> None:
    decision = ENGINE.decide(ctx)
    requested = set(ctx.request.fields)
    stored = ctx.student.field_names if ctx.student else frozenset()
    for fd in decision.fields:
        if fd.outcome is Outcome.RELEASE:
            assert fd.field in requested or ("*" in requested and fd.field in stored)
            if fd.released_as:
                assert fd.released_as.startswith(fd.field + ":") and fd.released_as in stored


@pytest.mark.parametrize("name", ["resolve_consent", "resolve_emergency", "resolve_order", "resolve_report",
                                  "resolve_directory", "resolve_path"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(ctx=contexts())
def test_an_exception_in_a_resolver_releases_nothing(name: str, ctx: DecisionContext,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def boom(*_: object, **__: object) -> object:
        calls.append(name)
        raise RuntimeError("resolver failure")

    monkeypatch.setattr(resolve_module, name, boom)
    decision = ENGINE.decide(ctx)
    if calls:  # the resolver ran (an earlier basis may have settled every field first)
        assert all(fd.outcome is Outcome.WITHHOLD for fd in decision.fields)
        assert decision.decision.value == "DENY"
        assert all(fd.reasons == ("W_NO_BASIS",) and fd.rules == ("R-GATE-1",) for fd in decision.fields)
