"""Fixtures for the OneRoster import: a migrated database (SQLite and PostgreSQL) with the district configured."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEntry
from app.auth.principal import Principal
from app.db.session import make_engine, make_sessionmaker
from app.domain.districts.schemas import DistrictIn
from app.domain.districts.service import put_district
from app.policy.vocabulary import Vocabulary, load_vocabulary
from app.records.oneroster import ImportSummary, import_oneroster
from tests.factories import DISTRICT, PROJECT

DATA = PROJECT / "tests" / "data"
ADMIN = Principal(id="admin", role="admin", name="Admin", district_id=None, agency_type="school")


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    return load_vocabulary(PROJECT / "policies")


@pytest.fixture
def sessions(db_url: str, vocab: Vocabulary) -> Iterator[sessionmaker[Session]]:
    """A session factory on a database where district hrps is configured (the admin's job, before any import)."""
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    with factory() as session, session.begin():
        put_district(session, ADMIN, "hrps", DistrictIn.model_validate(DISTRICT), vocab)
    yield factory
    engine.dispose()


Importer = Callable[[Path], ImportSummary]


@pytest.fixture
def run_import(sessions: sessionmaker[Session], vocab: Vocabulary) -> Importer:
    def run(directory: Path) -> ImportSummary:
        with sessions() as session, session.begin():
            return import_oneroster(session, directory, "hrps", vocab)
    return run


@pytest.fixture
def bundle_copy(tmp_path: Path) -> Callable[[str], Path]:
    """A writable copy of a sample bundle, for tests that damage or change it."""
    def copy(version: str) -> Path:
        target = tmp_path / f"bundle-{version}"
        shutil.copytree(DATA / f"oneroster-{version}", target)
        return target
    return copy


def audit_count(session: Session, type: str | None = None) -> int:
    stmt = select(func.count()).select_from(AuditEntry)
    if type is not None:
        stmt = stmt.where(AuditEntry.type == type)
    return int(session.scalar(stmt) or 0)


def _rewrite(path: Path, keep: Callable[[dict[str, str]], dict[str, str] | None]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        rows = [r for r in (keep(dict(row)) for row in reader) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)


def drop_users(bundle: Path, *ids: str) -> None:
    """The bundle as the SIS would export it once these users left: their rows gone from every file, and no other
    row naming them as an agent."""
    gone = set(ids)

    def users(row: dict[str, str]) -> dict[str, str] | None:
        if row["sourcedId"] in gone:
            return None
        agents = [a for a in row.get("agentSourcedIds", "").split(",") if a and a not in gone]
        return {**row, "agentSourcedIds": ",".join(agents)}

    _rewrite(bundle / "users.csv", users)
    _rewrite(bundle / "demographics.csv", lambda r: None if r["sourcedId"] in gone else r)
    for stem in ("enrollments", "roles"):
        if (bundle / f"{stem}.csv").is_file():
            _rewrite(bundle / f"{stem}.csv", lambda r: None if r["userSourcedId"] in gone else r)


def delta_bundle(target: Path, version: str, files: dict[str, list[dict[str, str]]]) -> Path:
    """A delta bundle: the sample's headers, the rows given (missing cells blank), orgs.csv without rows."""
    target.mkdir(parents=True)
    sample = DATA / f"oneroster-{version}"
    stems = ["orgs", *files]
    manifest = [["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", version]]
    manifest += [[f"file.{stem}", "delta"] for stem in stems]
    with (target / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(manifest)
    for stem in stems:
        with (sample / f"{stem}.csv").open(encoding="utf-8", newline="") as fh:
            columns = next(csv.reader(fh))
        with (target / f"{stem}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, columns, restval="")
            writer.writeheader()
            writer.writerows(files.get(stem, []))
    return target
