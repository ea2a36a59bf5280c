"""Storage fixtures: every test that takes `db_url` runs once on SQLite and once on PostgreSQL.

A migrated template database is made once per dialect per session; each test gets its own copy (a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests may commit freely and never share state.
GATEKEEPER_TEST_DATABASES=sqlite (or postgresql) restricts the run to one dialect.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker

PG_ADMIN_URL = os.environ.get("GATEKEEPER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DIALECTS = [d.strip() for d in os.environ.get("GATEKEEPER_TEST_DATABASES", "sqlite,postgresql").split(",") if d]


def _pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


def _pg_admin() -> Engine:
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


class Templates:
    """Creates the migrated template per dialect lazily; drops everything at the end of the session."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.made: dict[str, str] = {}
        self.pg_databases: list[str] = []

    def template(self, dialect: str) -> str:
        if dialect not in self.made:
            if dialect == "sqlite":
                path = self.tmp / "template.db"
                upgrade(f"sqlite:///{path}")
                self.made[dialect] = str(path)
            else:
                name = f"gk_tpl_{uuid.uuid4().hex[:10]}"
                self._pg_create(name)
                upgrade(_pg_url(name))
                self.made[dialect] = name
        return self.made[dialect]

    def copy(self, dialect: str) -> str:
        tpl = self.template(dialect)
        if dialect == "sqlite":
            path = self.tmp / f"t_{uuid.uuid4().hex[:10]}.db"
            shutil.copyfile(tpl, path)
            return f"sqlite:///{path}"
        name = f"gk_t_{uuid.uuid4().hex[:10]}"
        self._pg_create(name, template=tpl)
        return _pg_url(name)

    def empty(self, dialect: str) -> str:
        if dialect == "sqlite":
            return f"sqlite:///{self.tmp / f'e_{uuid.uuid4().hex[:10]}.db'}"
        name = f"gk_e_{uuid.uuid4().hex[:10]}"
        self._pg_create(name)
        return _pg_url(name)

    def _pg_create(self, name: str, template: str | None = None) -> None:
        admin = _pg_admin()
        try:
            with admin.connect() as conn:
                clause = f" TEMPLATE {template}" if template else ""
                conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        finally:
            admin.dispose()
        self.pg_databases.append(name)

    def drop_all(self) -> None:
        """Drop every database this session made; a few at a time (each drop waits on the file system)."""
        if not self.pg_databases:
            return
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=4)

        def drop(name: str) -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        try:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(drop, [n for n in self.pg_databases if n not in self.made.values()]))
            for name in self.made.values():
                if name in self.pg_databases:
                    drop(name)  # templates last: copies were made from them
        finally:
            admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    t = Templates(tmp_path_factory.mktemp("db"))
    yield t
    t.drop_all()


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(templates: Templates, dialect: str) -> str:
    """A freshly migrated database of its own for this test."""
    return templates.copy(dialect)


@pytest.fixture
def empty_db_url(templates: Templates, dialect: str) -> str:
    """An empty (unmigrated) database, for migration tests."""
    return templates.empty(dialect)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_sessionmaker(engine)() as s:
        yield s
