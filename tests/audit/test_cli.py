"""`gatekeeper audit checkpoint --out` and `audit verify --checkpoint`: exit codes an operator can script on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.audit.cli import audit_app
from app.config import get_settings
from tests.audit.conftest import dba, fill
from tests.factories import signing_key_at


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GATEKEEPER_DATABASE_URL", db_url)
    monkeypatch.setenv("GATEKEEPER_ENV", "test")
    monkeypatch.setenv("GATEKEEPER_SIGNING_KEY_FILE", str(tmp_path / "signing.pem"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_checkpoint_then_verify_detects_truncation(env: Path, engine: Engine,
                                                   factory: sessionmaker[Session]) -> None:
    runner = CliRunner()
    signing_key_at(env / "signing.pem")  # a new installation's key (keys init)
    fill(factory, 8)
    out = env / "cp.json"
    made = runner.invoke(audit_app, ["checkpoint", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert json.loads(out.read_text())["seq"] == 8
    assert (env / "signing.pem").stat().st_mode & 0o777 == 0o600
    ok = runner.invoke(audit_app, ["verify", "--checkpoint", str(out)])
    assert ok.exit_code == 0, ok.output
    with dba(engine) as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq >= 8"))
        conn.execute(text("UPDATE audit_chain_head SET seq = 7, hash = (SELECT hash FROM audit_entries "
                          "WHERE seq = 7) WHERE id = 1"))
    assert runner.invoke(audit_app, ["verify"]).exit_code == 0  # Consistent on its own...
    caught = runner.invoke(audit_app, ["verify", "--checkpoint", str(out)])
    assert caught.exit_code == 1 and json.loads(caught.output)["problem"] == "truncated"
    assert runner.invoke(audit_app, ["verify", "--checkpoint", str(env / "missing.json")]).exit_code == 2
