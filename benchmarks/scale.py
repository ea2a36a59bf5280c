"""Records at scale (issue 14, item 5): p95 of the reads that grow with the log, at 1,000,000 requests.

    .venv/bin/python benchmarks/scale.py [--requests 1000000] [--districts 50] [--dialects sqlite,postgresql]

Writes the requests straight into a scratch database (the gate would take days to make a million), spread over
--districts districts of 400 students and 4 schools each, with one hash-chained audit entry per request, then
measures with the service's own functions, each call in a transaction that is rolled back so the database stays as
loaded:
- the record of disclosures of one student (record.disclosure_record, as the district's admin sees it),
- a principal's approval queue (reads.queue, the first page),
- an auditor's filtered events query (audit.queries.query_events, one student, a district's auditor).
Prints the p95 of each in ms. Not part of the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scratch import scratch_database
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS_HASH, canonical_json, entry_body, format_at
from app.audit.queries import query_events
from app.auth.principal import Principal
from app.db.artifacts import DisclosureNamedStudent, DisclosureRequest
from app.db.migrate import upgrade
from app.db.models import District, School, Student, User
from app.db.session import make_engine, make_sessionmaker
from app.domain.access import DistrictScope
from app.domain.disclosures import reads, record

STUDENTS_PER_DISTRICT = 400
SCHOOLS_PER_DISTRICT = 4
BATCH = 20_000
SAMPLES = 200
START = datetime(2025, 1, 6, 8, tzinfo=UTC)


def _district(d: int) -> str:
    return f"d{d:02d}"


def _student(d: int, s: int) -> str:
    return f"d{d:02d}-st{s:04d}"


def _school(d: int, s: int) -> str:
    return f"d{d:02d}-sch{s % SCHOOLS_PER_DISTRICT}"


def _user(user_id: str, role: str, district_id: str, schools: list[str] | None = None) -> User:
    return User(id=user_id, name=user_id, role=role, district_id=district_id, school_ids=schools or [],
                agency_type="police" if role == "sro" else "district")


def _principal(user_id: str, role: str, district_id: str, schools: frozenset[str] = frozenset()) -> Principal:
    return Principal(id=user_id, role=role, name=user_id, district_id=district_id, agency_type="district",
                     school_ids=schools)


def people(engine: Engine, districts: int) -> None:
    """Districts, schools, students, and per district an admin, an auditor, a principal per school and an SRO."""
    with Session(engine) as session:
        for d in range(districts):
            did = _district(d)
            session.add(District(id=did, name=f"District {d}", timezone="America/New_York", annual_notifications=[],
                                 settings={}, calendar={}, home_language_duty=[], law_enforcement_units=[],
                                 updated_at=START))
            for k in range(SCHOOLS_PER_DISTRICT):
                session.add(School(id=_school(d, k), district_id=did, name=f"School {k}", grades=["9", "10"]))
            session.add_all(Student(id=_student(d, s), district_id=did, school_id=_school(d, s),
                                    date_of_birth=datetime(2009, 1, 1).date(), grade_level="10",
                                    updated_at=START)
                            for s in range(STUDENTS_PER_DISTRICT))
            session.add_all([_user(f"{did}-admin", "admin", did), _user(f"{did}-auditor", "auditor", did),
                             _user(f"{did}-sro", "sro", did, [_school(d, 0)])])
            session.add_all(_user(f"{did}-principal{k}", "principal", did, [_school(d, k)])
                            for k in range(SCHOOLS_PER_DISTRICT))
        session.commit()


def requests(n: int, districts: int) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None, tuple[Any, ...]]]:
    """(request row, a named-student row or None, audit entry values) per request, the audit chain valid."""
    rng = random.Random(14)
    prev = GENESIS_HASH
    for i in range(n):
        d, s = rng.randrange(districts), rng.randrange(STUDENTS_PER_DISTRICT)
        did, sid = _district(d), _student(d, s)
        at = START + timedelta(seconds=i * 2)
        pending = rng.random() < 0.05
        decision = "PENDING_APPROVAL" if pending else rng.choice(["ALLOW", "ALLOW_REDACTED", "DENY"])
        outcome = "PENDING" if pending else "RELEASE" if decision != "DENY" else "WITHHOLD"
        rid = f"req_{i:07d}"
        row: dict[str, Any] = {
            "id": rid, "district_id": did, "student_id": sid, "school_id": _school(d, s), "caller_id": f"{did}-sro",
            "requester_id": f"{did}-sro", "recipient_id": f"{did}-sro", "purpose": "LE_RESPONSE",
            "body": {"student_id": sid, "purpose": "LE_RESPONSE", "fields": ["name", "class_schedule"]},
            "decision": decision,
            "fields": [{"field": "name", "outcome": outcome, "rules": ["R-SO-1"], "basis": ["FERPA_SO"]},
                       {"field": "class_schedule", "outcome": outcome, "rules": ["R-SO-1"], "basis": ["FERPA_SO"]}],
            "use_restrictions": [], "notice_version": None, "approvals": [], "released_by": None,
            "released_at": None if pending or decision == "DENY" else at, "sealed": False, "in_record": True,
            "named_student_ids": [], "emergency_used_id": None, "explanation": "", "policy_version": "sha256:pol",
            "config_version": "sha256:cfg", "created_at": at, "updated_at": at}
        named = None
        if outcome == "RELEASE" and rng.random() < 0.05:
            other = _student(d, rng.randrange(STUDENTS_PER_DISTRICT))
            if other != sid:
                row["named_student_ids"] = [other]
                named = {"request_id": rid, "student_id": other, "district_id": did}
        body = entry_body(seq=i + 1, at=format_at(at), type="request.decided", actor_id="gatekeeper",
                          student_id=sid, request_id=rid, data={"decision": decision, "purpose": "LE_RESPONSE"},
                          policy_version="sha256:pol", config_version="sha256:cfg", district_id=did)
        text_body = canonical_json(body).decode()
        digest = hashlib.sha256((prev + text_body).encode()).hexdigest()
        yield row, named, (i + 1, text_body, prev, digest)
        prev = digest


def load(engine: Engine, n: int, districts: int) -> None:
    people(engine, districts)
    last: tuple[Any, ...] | None = None
    rows: list[dict[str, Any]] = []
    named: list[dict[str, Any]] = []
    entries: list[tuple[Any, ...]] = []

    def flush() -> None:
        if not rows:
            return
        with engine.begin() as conn:
            conn.execute(insert(DisclosureRequest.__table__), rows)  # type: ignore[arg-type]
            if named:
                conn.execute(insert(DisclosureNamedStudent.__table__), named)  # type: ignore[arg-type]
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            if engine.dialect.name == "sqlite":
                cursor.executemany("INSERT INTO audit_entries (seq, body, prev_hash, hash) VALUES (?,?,?,?)",
                                   entries)
            else:
                with cursor.copy("COPY audit_entries (seq, body, prev_hash, hash) FROM STDIN") as copy:
                    for entry in entries:
                        copy.write_row(entry)
        rows.clear()
        named.clear()
        entries.clear()

    for row, name, entry in requests(n, districts):
        rows.append(row)
        if name is not None:
            named.append(name)
        entries.append(entry)
        last = entry
        if len(rows) == BATCH:
            flush()
    flush()
    assert last is not None
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_chain_head SET seq = :seq, hash = :hash WHERE id = 1"),
                     {"seq": last[0], "hash": last[3]})
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def p95_ms(engine: Engine, call: Callable[[Session, int], object]) -> float:
    sessions = make_sessionmaker(engine)
    timings = []
    for i in range(SAMPLES):
        with sessions() as session:
            started = time.perf_counter()
            call(session, i)
            timings.append((time.perf_counter() - started) * 1000)
            session.rollback()
    return statistics.quantiles(timings, n=20)[-1]


def bench(dialect: str, n: int, districts: int) -> None:
    with scratch_database(dialect) as url:
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        load(engine, n, districts)
        print(f"{dialect}: {n:,} requests in {districts} districts loaded in {time.perf_counter() - started:.0f} s")
        rng = random.Random(5)

        def admin(d: int) -> Principal:
            return _principal(f"{_district(d)}-admin", "admin", _district(d))

        def disclosure_record(session: Session, i: int) -> object:
            d = rng.randrange(districts)
            return record.disclosure_record(session, admin(d), _student(d, rng.randrange(STUDENTS_PER_DISTRICT)),
                                            None, None)

        def queue(session: Session, i: int) -> object:
            d, k = rng.randrange(districts), rng.randrange(SCHOOLS_PER_DISTRICT)
            principal = _principal(f"{_district(d)}-principal{k}", "principal", _district(d),
                                   frozenset({_school(d, k)}))
            return reads.queue(session, principal, "PENDING_APPROVAL", None, None, 50)

        def events(session: Session, i: int) -> object:
            d = rng.randrange(districts)
            return query_events(session, scope=DistrictScope(_district(d)),
                                student_id=_student(d, rng.randrange(STUDENTS_PER_DISTRICT)), limit=100)

        for label, call in (("record of disclosures", disclosure_record), ("principal's queue", queue),
                            ("filtered events", events)):
            print(f"{dialect}: {label:<22} p95 {p95_ms(engine, call):7.1f} ms")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--districts", type=int, default=50)
    parser.add_argument("--dialects", default="sqlite,postgresql")
    args = parser.parse_args()
    for dialect in args.dialects.split(","):
        bench(dialect.strip(), args.requests, args.districts)


if __name__ == "__main__":
    main()
