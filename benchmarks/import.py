"""Import a generated 10,000-student OneRoster 1.1 bundle and print the seconds (SQLite; PostgreSQL if reachable).

    .venv/bin/python benchmarks/import.py [--students N]

The bundle (orgs, users with one guardian per student, demographics, enrollments) is written to a temporary
directory; each run imports into a fresh database with the district configured, then re-imports to time the no-change
path. The import must take under 60 s on SQLite (issue 6).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

from scratch import postgres_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.auth.principal import Principal  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from app.db.session import make_engine, make_sessionmaker  # noqa: E402
from app.domain.districts.schemas import DistrictIn  # noqa: E402
from app.domain.districts.service import put_district  # noqa: E402
from app.policy.vocabulary import load_vocabulary  # noqa: E402
from app.records.oneroster import import_oneroster  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
USERS_1_1 = ("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
             "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password")
DEMOGRAPHICS = ("sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
                "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,"
                "hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,"
                "publicSchoolResidenceStatus")
ENROLLMENTS = ("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
               "beginDate,endDate")
DISTRICT = {"name": "Bench District", "timezone": "America/New_York", "mou": {"signed_on": "2024-08-15"},
            "annual_notifications": [], "settings": {"redisclosure_notice_version": "RN-1"}}


def _columns(header: str) -> list[str]:
    return header.split(",")


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def generate(directory: Path, students: int) -> None:
    rng = random.Random(6)
    stamp = "2025-08-01T00:00:00.000Z"
    _write(directory / "manifest.csv", ["propertyName", "value"], [
        ["manifest.version", "1.0"], ["oneroster.version", "1.1"], ["file.orgs", "bulk"], ["file.users", "bulk"],
        ["file.demographics", "bulk"], ["file.enrollments", "bulk"]])
    schools = [f"sch-{i}" for i in range(1, 11)]
    _write(directory / "orgs.csv", _columns("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"),
           [["bench", "active", stamp, "Bench District", "district", "", ""]]
           + [[s, "active", stamp, f"School {s}", "school", "", "bench"] for s in schools])
    users, demographics, enrollments = [], [], []
    for n in range(students):
        sid, pid, school = f"st-{n:05d}", f"pa-{n:05d}", schools[n % len(schools)]
        grade = f"{rng.randrange(1, 13):02d}"
        users.append([sid, "active", stamp, "true", f"bench,{school}", "student", f"u{n}", "", f"Given{n}",
                      f"Family{n}", "", str(100000 + n), f"u{n}@example.test", "", f"555-{n:05d}", pid, grade, ""])
        users.append([pid, "active", stamp, "true", "bench", "guardian", f"p{n}", "", f"Parent{n}", f"Family{n}", "",
                      "", "", "", "", sid, "", ""])
        flags = [rng.choice(["true", "false"]) for _ in range(6)]
        demographics.append([sid, "active", stamp, f"{2005 + n % 13}-0{1 + n % 9}-1{n % 9}", rng.choice("MFX"),
                             *flags, rng.choice(["true", "false"]), "US", "MA", "Boston", "01652"])
        enrollments.append([f"en-{n}", "active", stamp, f"cl-{school}", school, sid, "student", "false", "", ""])
    _write(directory / "users.csv", _columns(USERS_1_1), users)
    _write(directory / "demographics.csv", _columns(DEMOGRAPHICS), demographics)
    _write(directory / "enrollments.csv", _columns(ENROLLMENTS), enrollments)


def timed_import(url: str, bundle: Path) -> tuple[float, float]:
    upgrade(url)
    vocab = load_vocabulary(ROOT / "policies")
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    admin = Principal(id="bench", role="admin", name="bench", district_id=None, agency_type="school")
    with factory() as session, session.begin():
        put_district(session, admin, "bench", DistrictIn.model_validate(DISTRICT), vocab)
    times = []
    for _ in range(2):
        start = time.perf_counter()
        with factory() as session, session.begin():
            import_oneroster(session, bundle, "bench", vocab)
        times.append(time.perf_counter() - start)
    engine.dispose()
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "bundle"
        bundle.mkdir()
        generate(bundle, args.students)
        first, again = timed_import(f"sqlite:///{tmp}/bench.db", bundle)
        print(f"sqlite: {args.students} students imported in {first:.1f} s; re-import (no change) {again:.1f} s")
        with postgres_database() as url:
            if url is None:
                print("postgresql: not reachable at 127.0.0.1:5432, skipped")
                return
            first, again = timed_import(url, bundle)
            print(f"postgresql: {args.students} students imported in {first:.1f} s; "
                  f"re-import (no change) {again:.1f} s")


if __name__ == "__main__":
    main()
