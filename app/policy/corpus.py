"""The decision corpus: a fixed set of decision contexts built from the project's YAML, shared by the golden pin
(tests/policy/golden.py) and `gatekeeper policy diff` (app/policy/diff.py).

It holds every request of the worked examples, the project scenarios and the policy suites (decided where the step
stands, and again against the world at the end of the scenario, so later artifacts are seen), each of those again
asking for every stored field plus '*' and an unknown name, and a seeded random sweep over the suite fixture
(parties, purposes, consents, emergencies, orders, reports, clocks). Building needs an engine only for its generic
emergency phrases and its purposes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from app.policy.engine import PolicyEngine
from app.policy.facts import ConsentFacts, DecisionContext, EmergencyFacts, LegalOrderFacts, ReportFacts, RequestFacts
from app.policy.scenario import World

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT.parent / "shared" / "examples"
EXAMPLE_FIXTURE = EXAMPLES / "fixture.yaml"
SCENARIO_DIRS = (EXAMPLES, ROOT / "tests" / "scenarios")
ACTIONS = ("request", "preview", "approve", "deny", "get_request", "queue", "consent", "revoke_consent",
           "list_consents", "emergency", "end_emergency", "legal_order", "validate_order", "parent_notice", "report",
           "get_record", "audit_events", "audit_verify", "http")
RANDOM_CASES = 3000
SEED = 20250310
Label = Callable[[Path], str]


def _variants(key: str, ctx: DecisionContext) -> Iterator[tuple[str, DecisionContext]]:
    yield key, ctx
    if ctx.student is not None and ctx.request.population is None:
        every = (*sorted(ctx.student.field_names), "*", "not_a_field")
        yield key + "/all", replace(ctx, request=replace(ctx.request, fields=every))


def _steps(key: str, fixture: dict[str, Any], doc: dict[str, Any], engine: PolicyEngine,
           request_step: dict[str, Any] | None = None) -> Iterator[tuple[str, DecisionContext]]:
    now = datetime.fromisoformat(str(doc.get("now") or fixture["now"]))
    world = World(fixture, doc.get("setup"), now)
    bodies: list[tuple[str, dict[str, Any]]] = []
    steps = list(doc.get("steps") or []) + ([{"request": request_step}] if request_step else [])
    for i, step in enumerate(steps):
        action = next((a for a in ACTIONS if a in step), None)
        if action is None:
            continue
        try:
            ctx = world.apply(action, step[action], engine.generic_phrases)
        except (ValueError, KeyError, TypeError):
            continue  # a malformed body (a scenario's 422 case): the service stores nothing, so neither does the world
        if ctx is None:
            continue
        if step[action].get("as"):
            world.bound[step[action]["as"]] = step[action]["as"]
        bodies.append((step[action].get("by", "admin"), world.ref(step[action].get("body") or {})))
        yield from _variants(f"{key}#{i}", ctx)
    for j, (by, body) in enumerate(bodies):
        yield from _variants(f"{key}#end{j}", world.context(by, body))


def file_key(path: Path) -> str:
    """A corpus key for a file that pins its content: `name@<sha256 prefix>`."""
    return f"{path.name}@{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"


def scenario_corpus(engine: PolicyEngine, folders: tuple[Path, ...] = SCENARIO_DIRS,
                    fixture_file: Path = EXAMPLE_FIXTURE, label: Label = file_key) -> Iterator[
        tuple[str, DecisionContext]]:
    """Every request of the scenarios (SC-*.yaml) in `folders`, all over the worked examples' fixture."""
    if not fixture_file.is_file():
        return
    fixture = yaml.safe_load(fixture_file.read_text())
    for folder in folders:
        for path in sorted(folder.glob("SC-*.yaml")) if folder.is_dir() else ():
            yield from _steps(label(path), fixture, yaml.safe_load(path.read_text()), engine)


def suite_corpus(engine: PolicyEngine, policy_dir: Path, label: Label = file_key) -> Iterator[
        tuple[str, DecisionContext]]:
    """Every request case of the policy suites `policy_dir/tests/*_test.yaml` (table cases decide no request)."""
    fixture = yaml.safe_load((policy_dir / "tests" / "fixture.yaml").read_text())
    for path in sorted((policy_dir / "tests").glob("*_test.yaml")):
        suite = yaml.safe_load(path.read_text()) or {}
        for i, case in enumerate(suite.get("tests") or []):
            if "request" in case:
                yield from _steps(f"{label(path)}/{i}", fixture, case, engine, case["request"])


def random_corpus(engine: PolicyEngine, policy_dir: Path, n: int = RANDOM_CASES, seed: int = SEED) -> Iterator[
        tuple[str, DecisionContext]]:
    """A seeded random sweep over the suite fixture of `policy_dir` and the purposes `engine` knows."""
    rng = random.Random(seed)
    fixture = yaml.safe_load((policy_dir / "tests" / "fixture.yaml").read_text())
    base_now = datetime.fromisoformat(str(fixture["now"]))
    nows = [base_now, base_now - timedelta(days=200), base_now + timedelta(days=120), base_now + timedelta(days=400)]
    world = World(fixture, {"students": {"st-a": {"fields": {"family:mother:religion": "faith"}}}}, base_now)
    users, students = sorted(world.users), sorted(world.students)
    purposes = sorted(engine.components.purposes.all_purposes()) + ["NOT_A_PURPOSE"]
    cats = ["IMMIGRATION", "CITIZENSHIP", "NEIGHBORHOOD", "RELIGION", "NATIONAL_ORIGIN", "ETHNICITY", "GANG"]
    all_fields = sorted({n for s in world.students.values() for n in s.field_names} | {"unknown_field", "*"})
    incidents = sorted(world.incidents)
    frequent = ["sro-1", "sro-1", "lt-1", "prin-1", "t-1", "cns-1", "det-1", "chief-1", "parent-ana", "stu-d"]
    common = ["LE_RESPONSE", "EMERGENCY", "IMMEDIATE_SAFETY", "THREAT_ASSESSMENT", "SERVICES_REFERRAL", "DIRECTORY"]

    def some(pool: list[str], k: int) -> frozenset[str]:
        return frozenset(rng.sample(pool, rng.randint(0, k)))

    def listed(pool: list[str], k: int) -> list[str]:
        return sorted(some(pool, k))  # sorted: set order changes with PYTHONHASHSEED

    for i in range(n):
        now = rng.choice(nows)
        sid = rng.choice(students)
        student = world.students[sid]
        # Weighted towards the parties and purposes that release something, so outcomes other than a
        # request-level bar are well represented.
        requester = world.users[rng.choice(users) if rng.random() < 0.4 else rng.choice(frequent)]
        recipient = world.users[rng.choice(users)] if rng.random() < 0.2 else None
        to = (recipient or requester).id
        purpose = rng.choice(purposes) if rng.random() < 0.5 else rng.choice(common)
        own = sorted(student.field_names)
        consents = tuple(
            ConsentFacts(f"c{k}", sid if rng.random() < 0.9 else "st-b", rng.choice(["parent-ana", "stu-d"]),
                         rng.choice(["parent", "student", "guardian"]), date(2025, rng.choice([1, 3, 5]), 1), True,
                         True, True, "en", some(all_fields, 6), some(cats, 3),
                         purpose if rng.random() < 0.7 else rng.choice(purposes),
                         frozenset({to, "agency:Harbor PD"}) if rng.random() < 0.8 else frozenset({"x"}),
                         rng.choice([None, date(2025, 6, 30), date(2025, 2, 1)]), rng.random() < 0.8,
                         () if rng.random() < 0.5 else ("NOT_WRITTEN",),
                         rng.choice([None, None, now - timedelta(days=1), now + timedelta(days=1)]), now)
            for k in range(rng.choice([0, 0, 1, 2])))
        emergency = None
        if rng.random() < 0.35:
            start = now - timedelta(hours=rng.randint(0, 6))
            necessary = {f: "needed" for f in listed(all_fields, 8)}
            rf = {to: frozenset(list(necessary)[:2])} if rng.random() < 0.3 else {}
            if rng.random() < 0.3:
                rf["role:ems"] = frozenset(rng.sample(all_fields, 3))
            emergency = EmergencyFacts(
                "em1", student.school_id, frozenset({sid}) if rng.random() < 0.9 else frozenset({"st-z"}), "threat",
                "imminent", start, start + timedelta(hours=rng.choice([2, 4, 8])),
                rng.choice([None, None, now - timedelta(minutes=5)]),
                frozenset({to}) if rng.random() < 0.8 else frozenset({f"role:{(recipient or requester).role}"}),
                necessary, rf)
        order = None
        if rng.random() < 0.3:
            order = LegalOrderFacts(
                "o1", rng.choice(["COURT_ORDER", "SUBPOENA", "ADMIN_SUBPOENA", "ADMIN_WARRANT", "DETAINER"]), sid,
                some(all_fields, 6), some(cats, 3), to if rng.random() < 0.85 else "someone", rng.random() < 0.3,
                rng.random() < 0.85, (), rng.choice(["received", "validated", "validated", "rejected"]), "cnsl-1",
                now - timedelta(days=rng.randint(0, 3)),
                rng.choice([None, now - timedelta(days=rng.randint(0, 14))]))
        incident = world.incidents[rng.choice(incidents)] if incidents and rng.random() < 0.5 else None
        report = None
        if rng.random() < 0.25:
            report = ReportFacts(
                "rp1", rng.choice(["REPORT_51A", "WEAPON_REPORT", "GERMANE_FINDING", "CLINICIAN_FLAG"]), sid,
                incident.id if incident else None, rng.choice(["prin-1", "supt-1", "cns-1"]),
                rng.choice(["principal", "superintendent", "clinician"]), rng.choice([to, "chief-1"]),
                some(all_fields, 6), rng.choice([None, "REPORT_51A", "WEAPON_37L"]), rng.choice([None, "prin-1"]),
                {f: "why" for f in listed(all_fields, 4)},
                rng.choice([None, "clinician_memo:st-a", "counseling_notes"]))
        em_on_file = (emergency,) if emergency is not None and rng.random() < 0.5 else ()
        request = RequestFacts(
            purpose=purpose, caller=requester, requester=requester,
            fields=tuple(rng.sample(own, min(len(own), rng.randint(1, 20)))
                         + rng.sample(all_fields, rng.choice([0, 0, 0, 1, 2]))), recipient=recipient,
            destination=rng.choice([None] * 12 + ["DISTRICT_ATTORNEY", "GANG_DATABASE", "OTHER", "COURT"]),
            identified_by=rng.choice(["name", "name", "incident", "student_id"]),
            case_id=rng.choice([None, "TA-1"]), incident=incident, incident_id_given=incident is not None,
            emergency=None if em_on_file else emergency, emergency_id_given=emergency is not None and not em_on_file,
            consents=consents, consent_id_given=bool(consents), legal_order=order,
            legal_order_id_given=order is not None, report=report, report_id_given=report is not None,
            reuse_of_purpose=rng.choice([None] * 8 + [purpose, "SERVICES_REFERRAL"]),
            reuse_of_restrictions=rng.choice([(), ("NO_LE_ACTION",)]),
            services_notice_on_file=rng.random() < 0.5, student_emergencies=em_on_file,
            student_reports=(report,) if report is not None and rng.random() < 0.3 else (),
        )
        yield f"random/{i}", DecisionContext(now, world.district, student, request)


def corpus(engine: PolicyEngine, policy_dir: Path, label: Label = file_key) -> list[tuple[str, DecisionContext]]:
    """The whole corpus: scenarios, the suites of `policy_dir`, the random sweep over its fixture."""
    return [*scenario_corpus(engine, label=label), *suite_corpus(engine, policy_dir, label),
            *random_corpus(engine, policy_dir)]
