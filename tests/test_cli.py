"""The command line: db upgrade, user add, token issue, policy test (typer's runner, real database)."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from app import clock
from app.cli import app
from app.config import get_settings
from tests.factories import PROJECT, SECRET

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, empty_db_url: str, tmp_path: Path) -> str:
    monkeypatch.setenv("GATEKEEPER_DATABASE_URL", empty_db_url)
    monkeypatch.setenv("GATEKEEPER_ENV", "test")
    monkeypatch.setenv("GATEKEEPER_JWT_SECRET", SECRET)
    monkeypatch.setenv("GATEKEEPER_POLICY_DIR", str(PROJECT / "policies"))
    monkeypatch.setenv("GATEKEEPER_SIGNING_KEY_FILE", str(tmp_path / "s.pem"))
    monkeypatch.setenv("GATEKEEPER_DIGEST_KEY_FILE", str(tmp_path / "d.key"))
    get_settings.cache_clear()
    yield empty_db_url
    get_settings.cache_clear()


def test_upgrade_user_add_and_token(env: str) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    added = runner.invoke(app, ["user", "add", "boss", "--role", "admin", "--name", "Privacy Officer"])
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["user", "add", "x", "--role", "sheriff"]).exit_code == 2
    issued = runner.invoke(app, ["token", "issue", "boss", "--ttl", "60"])
    assert issued.exit_code == 0
    claims = jwt.decode(issued.output.strip(), SECRET, algorithms=["HS256"], audience="gatekeeper")
    assert claims["sub"] == "boss" and claims["exp"] - claims["iat"] == 60
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_policy_test_runs_the_suites(env: str) -> None:
    result = runner.invoke(app, ["policy", "test"])
    assert result.exit_code == 0, result.output
    assert " passed, 0 failed" in result.output


def test_commands_stamp_events_on_the_legal_clock(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """In test mode a CLI command dates its audit events on the legal clock, like the server (API.md section 1)."""
    from sqlalchemy import select

    from app.audit.models import AuditEntry
    from app.db.session import make_engine, make_sessionmaker

    monkeypatch.setenv("GATEKEEPER_CLOCK_START", "2025-03-10T10:00:00-05:00")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["user", "add", "boss", "--role", "admin"]).exit_code == 0
    engine = make_engine(env)
    try:
        with make_sessionmaker(engine)() as session:
            stamped = [e.occurred_at for e in session.scalars(select(AuditEntry))]
    finally:
        engine.dispose()
        clock.configure("production", None)  # the command pinned this process's clock: unpin it for other tests
    assert stamped and all(at.date().isoformat() == "2025-03-10" for at in stamped)
