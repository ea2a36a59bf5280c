"""Unit tests of the pure fact-level functions the workflow calls directly."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import yaml

from app.policy.conditions.orders import hold_until, nth_school_day_after
from app.policy.engine import PolicyEngine
from app.policy.facts import ConsentInput, DecisionContext, LegalOrderFacts, Party, RequestFacts
from app.policy.scenario import World
from app.policy.validation import assess_consent, check_emergency_declaration

POLICIES = Path(__file__).resolve().parents[2] / "policies"
NOW = datetime.fromisoformat("2025-03-10T10:00:00-05:00")
WORLD = World(yaml.safe_load((POLICIES / "tests" / "fixture.yaml").read_text()), None, NOW)


def _consent(**kw: object) -> ConsentInput:
    base: dict[str, object] = dict(
        signed_by="parent-ana", signer_relationship="parent", signed_on=date(2025, 3, 1), written=True,
        authenticated=True, informed=True, language="en", fields=frozenset({"grades"}),
        categories_37l=frozenset(), purpose="DIVERSION", recipients=frozenset({"lt-1"}), expires_on=None)
    base.update(kw)
    return ConsentInput(**base)  # type: ignore[arg-type]


def test_assess_consent_reasons() -> None:
    st_a, st_c, st_h, st_d = (WORLD.students[s] for s in ("st-a", "st-c", "st-h", "st-d"))
    u = WORLD.users
    assert assess_consent(_consent(), st_a, u["parent-ana"], WORLD.district, NOW) == (True, ())
    assert assess_consent(_consent(written=False, authenticated=False, informed=False), st_a, u["parent-ana"],
                          WORLD.district, NOW) == (False, ("NOT_WRITTEN", "NOT_AUTHENTICATED", "NOT_INFORMED"))
    assert assess_consent(_consent(signed_by="parent-rosa"), st_h, u["parent-rosa"], WORLD.district, NOW) == (
        False, ("NOT_HOME_LANGUAGE",))
    assert assess_consent(_consent(signed_by="parent-jun"), st_c, u["parent-jun"], WORLD.district, NOW)[1] == (
        "SIGNER_RIGHTS_LIMITED",)
    assert assess_consent(_consent(signed_by="parent-min"), st_a, u["parent-min"], WORLD.district, NOW)[1] == (
        "SIGNER_NOT_AUTHORIZED",)
    assert assess_consent(_consent(signed_by="ghost"), st_a, None, WORLD.district, NOW)[1] == ("UNKNOWN_SIGNER",)
    assert assess_consent(_consent(signed_by="parent-linh"), st_d, u["parent-linh"], WORLD.district, NOW)[1] == (
        "SIGNER_NOT_AUTHORIZED",)  # st-d is 18: the right has passed to the student
    assert assess_consent(_consent(signed_by="stu-d", signer_relationship="student"), st_d, u["stu-d"],
                          WORLD.district, NOW) == (True, ())
    kid = Party("stu-a", "student", "other", student_ids=frozenset({"st-a"}))
    assert assess_consent(_consent(signed_by="stu-a", signer_relationship="student"), st_a, kid, WORLD.district,
                          NOW)[1] == ("SIGNER_UNDER_18",)
    sud = _consent(signed_by="stu-a", signer_relationship="student", fields=frozenset({"sbirt_screening"}))
    assert assess_consent(sud, st_a, kid, WORLD.district, NOW) == (True, ())


def test_check_emergency_declaration() -> None:
    good = dict(threat="At 07:10 a student posted that he will bring a handgun to the cafeteria at noon today",
                significance="firearm", imminence="imminent", persons_at_risk="students",
                necessary_fields={"photo": "identify"}, starts_at=NOW, review_at=NOW)
    assert check_emergency_declaration(**good, generic_phrases=("general safety concern",)) == []  # type: ignore
    bad = dict(good, threat="A student has seemed angry and withdrawn lately.", imminence="not_imminent",
               persons_at_risk="unspecified", necessary_fields={}, review_at=datetime(2025, 3, 9, tzinfo=NOW.tzinfo))
    assert len(check_emergency_declaration(**bad)) == 5  # type: ignore[arg-type]
    generic = dict(good, threat="General safety concern about a student in the building reported by several staff")
    assert check_emergency_declaration(**generic, generic_phrases=("general safety concern",))  # type: ignore


def test_notice_hold_counts_school_days_in_district_time() -> None:
    district = WORLD.district
    assert nth_school_day_after(date(2025, 3, 10), 5, district) == date(2025, 3, 17)
    order = LegalOrderFacts("o", "COURT_ORDER", "st-a", frozenset(), frozenset(), "court-1", False, True, (),
                            "validated", "cnsl-1", NOW, datetime.fromisoformat("2025-03-14T23:30:00-04:00"))
    # 23:30 EDT on Friday the 14th is already Saturday in UTC, but the local date counts: 5 school days -> 21st
    until = hold_until(order, district)
    assert until is not None and until.date() == date(2025, 3, 21) and until.hour == 0
    nd = LegalOrderFacts("o", "SUBPOENA", "st-a", frozenset(), frozenset(), "gj-1", True, True, (), "validated",
                         "cnsl-1", NOW, None)
    assert hold_until(nd, district) == NOW


def test_decide_never_raises_on_garbage() -> None:
    engine = PolicyEngine.load(POLICIES)
    caller = Party("x", "sro", "police")
    ctx = DecisionContext(NOW, WORLD.district, WORLD.students["st-a"],
                          RequestFacts("LE_RESPONSE", ("name",), caller, caller, incident=object()))  # type: ignore
    decision = engine.decide(ctx)
    assert decision.decision.value == "DENY" and decision.fields[0].reason == "W_NO_BASIS"
    assert decision.to_json()["fields"][0]["rules"] == ["R-GATE-1"]


def test_reads_student_reports_only_where_a_rule_looks_at_them() -> None:
    """The loader skips the student's reports unless the services-notice wait (R-NTF-1) or a clinician's memo
    (R-PRV-1(b)) can read them; without them those rules only wait or withhold."""
    engine = PolicyEngine.load(POLICIES)
    assert engine.reads_student_reports("SERVICES_REFERRAL", ["name"])
    assert engine.reads_student_reports("LE_RESPONSE", ["name", "clinician_disclosure_memo:m-1"])
    assert not engine.reads_student_reports("LE_RESPONSE", ["name", "religion", "counseling_notes"])
    assert not engine.reads_student_reports("EMERGENCY", ["name", "photo"])
    assert not engine.reads_student_reports("NOT_A_PURPOSE", [])
