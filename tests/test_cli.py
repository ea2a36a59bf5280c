"""The command line: db upgrade, user add, token issue, policy test (typer's runner, real database)."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

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
