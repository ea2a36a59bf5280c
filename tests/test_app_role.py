"""The service's own PostgreSQL role (issue 18, item 5; docker-compose.yml): `db grant-app-role` gives it what the
service needs, and on the audit tables only reading and appending: UPDATE, DELETE, TRUNCATE and DROP are refused."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.audit.service import append
from app.db.roles import grant_app_role
from app.db.session import make_engine, make_sessionmaker
from app.main import create_app
from tests.factories import auth, bootstrap_admin, load_district, make_settings


@pytest.fixture
def app_role(db_url: str) -> Iterator[str]:
    """A fresh role granted as docker-compose grants it; the URL of db_url as that role. Dropped afterwards."""
    if not db_url.startswith("postgresql"):
        pytest.skip("roles exist only on PostgreSQL")
    role = f"gk_app_{uuid.uuid4().hex[:8]}"
    owner = make_engine(db_url)
    try:
        assert grant_app_role(owner, role, "not-a-real-password") is True
        assert grant_app_role(owner, role, None) is False  # run again after a later migration: the same rights
        yield make_url(db_url).set(username=role, password="not-a-real-password").render_as_string(
            hide_password=False)
    finally:
        with owner.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()


def test_the_app_role_appends_but_cannot_change_or_drop_the_log(app_role: str) -> None:
    engine = make_engine(app_role)
    try:
        with make_sessionmaker(engine)() as session:
            append(session, "policy.loaded", actor_id="gatekeeper")
            session.commit()
        for statement in ("UPDATE audit_entries SET body = body", "DELETE FROM audit_entries",
                          "TRUNCATE audit_entries", "DROP TABLE audit_entries",
                          "ALTER TABLE audit_entries DISABLE TRIGGER USER", "DELETE FROM audit_chain_head",
                          "UPDATE audit_checkpoints SET signature = ''"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner"), engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_the_service_runs_as_the_app_role(app_role: str, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(app_role, tmp_path)), raise_server_exceptions=False) as client:
        bootstrap_admin(client)
        assert client.get("/readyz").status_code == 200
        load_district(client)  # districts, schools, students, users: every write asserted 200/201
        events = client.get("/api/v1/audit/events", headers=auth("admin"))
        assert events.status_code == 200 and events.json()["events"]
    check = create_engine(app_role)
    try:
        with check.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() > 0
    finally:
        check.dispose()
