"""Audit test helpers: a session factory on the per-test database and a "DBA" who can switch the triggers off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.audit.schema import DERIVED
from app.audit.service import append
from app.db.session import make_sessionmaker

SQLITE_TRIGGERS = {
    "audit_entries_no_update": "BEFORE UPDATE ON audit_entries",
    "audit_entries_no_delete": "BEFORE DELETE ON audit_entries",
    "audit_chain_head_forward_only": "BEFORE UPDATE ON audit_chain_head WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id",
}


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def fill(factory: sessionmaker[Session], n: int, **over: Any) -> None:
    with factory() as s:
        for i in range(n):
            kwargs: dict[str, Any] = {"actor_id": f"sro-{i % 3}", "student_id": f"st-{i % 4}",
                                      "request_id": f"req_{i}", "data": {"fields": ["name"], "i": i},
                                      "policy_version": "sha256:p", "config_version": "sha256:c"}
            kwargs.update(over)
            append(s, "request.decided", **kwargs)
        s.commit()


@contextmanager
def dba(engine: Engine, *, decouple: bool = False) -> Iterator[Any]:
    """A database administrator who disables the append-only triggers, edits, and puts them back. With `decouple`,
    first turns the generated filter columns into plain ones, which is what editing one apart from body takes."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_chain_head DISABLE TRIGGER USER"))
            for column in DERIVED["postgresql"] if decouple else ():
                conn.execute(text(f"ALTER TABLE audit_entries ALTER COLUMN {column} DROP EXPRESSION"))
        else:
            for name in SQLITE_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER {name}"))
            if decouple:  # SQLite cannot drop an expression: rebuild the table with plain columns.
                conn.execute(text("CREATE TABLE plain AS SELECT * FROM audit_entries"))
                conn.execute(text("DROP TABLE audit_entries"))
                conn.execute(text("ALTER TABLE plain RENAME TO audit_entries"))
        yield conn
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_chain_head ENABLE TRIGGER USER"))
        else:
            for name, when in SQLITE_TRIGGERS.items():
                conn.execute(text(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, 'append-only'); END"))
