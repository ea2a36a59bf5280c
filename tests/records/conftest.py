"""Fixtures for the OneRoster import: a migrated database (SQLite and PostgreSQL) with the district configured."""

from __future__ import annotations

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
