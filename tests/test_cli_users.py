"""`gatekeeper user list|disable|enable|link` (issue 15): typer's runner on a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.config import get_settings
from tests.factories import PROJECT, SECRET

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, empty_db_url: str, tmp_path: Path) -> Iterator[str]:
    for name, value in {"DATABASE_URL": empty_db_url, "ENV": "test", "JWT_SECRET": SECRET,
                        "POLICY_DIR": str(PROJECT / "policies"), "SIGNING_KEY_FILE": str(tmp_path / "s.pem"),
                        "DIGEST_KEY_FILE": str(tmp_path / "d.key")}.items():
        monkeypatch.setenv(f"GATEKEEPER_{name}", value)
    get_settings.cache_clear()
    yield empty_db_url
    get_settings.cache_clear()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_list_disable_enable_link(env: str) -> None:
    _ok("db", "upgrade")
    _ok("user", "add", "boss", "--role", "admin")
    _ok("user", "add", "aud", "--role", "auditor")
    assert "boss\tadmin\t-\t-\tactive" in _ok("user", "list")
    assert _ok("user", "list", "--role", "auditor").splitlines() == ["aud\tauditor\t-\t-\tactive"]
    assert _ok("user", "disable", "aud").strip() == "user aud disabled"
    assert "aud\tauditor\t-\t-\tdisabled" in _ok("user", "list")
    _ok("user", "enable", "aud")
    _ok("user", "link", "aud", "--issuer", "https://idp.example", "--subject", "0a1b-2c3d")
    row = json.loads(_ok("user", "list", "--role", "auditor", "--json"))
    assert row["identities"] == [{"issuer": "https://idp.example", "subject": "0a1b-2c3d"}] and not row["disabled"]
    # The same identity for another user, an unknown user, a bad value: refused with exit 2.
    assert runner.invoke(app, ["user", "link", "boss", "--issuer", "https://idp.example",
                               "--subject", "0a1b-2c3d"]).exit_code == 2
    assert runner.invoke(app, ["user", "disable", "nobody"]).exit_code == 2
    assert runner.invoke(app, ["user", "link", "boss", "--issuer", "", "--subject", "x"]).exit_code == 2
    _ok("user", "link", "aud", "--issuer", "https://idp.example", "--subject", "0a1b-2c3d", "--remove")
    assert json.loads(_ok("user", "list", "--role", "auditor", "--json"))["identities"] == []
