"""`gatekeeper demo`: the demo district is created once, reused, and its three curl examples behave as printed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.audit.models import AuditEntry
from app.cli import app as cli_app
from app.db.models import Student, StudentField
from app.db.session import make_engine, make_sessionmaker
from app.demo import data
from app.demo.command import build_demo, curl_examples, request_body, tokens
from app.demo.setup import PRINCIPAL, SRO
from app.main import create_app
from tests.factories import PROJECT, make_settings


def _counts(db_url: str) -> tuple[int, int, int]:
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as s:
            return (int(s.scalar(select(func.count()).select_from(Student)) or 0),
                    int(s.scalar(select(func.count()).select_from(StudentField)) or 0),
                    int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0))
    finally:
        engine.dispose()


def test_demo_is_created_once_and_reused(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path)
    first = build_demo(settings)
    counts = _counts(db_url)
    second = build_demo(settings)

    assert first.created and not second.created and not second.refreshed
    assert counts[0] == data.STUDENT_COUNT
    assert _counts(db_url) == counts


def test_demo_examples_allow_redact_and_pend_then_approve(db_url: str, tmp_path: Path) -> None:
    settings = make_settings(db_url, tmp_path)
    build_demo(settings)
    bearer = {user: {"Authorization": f"Bearer {tok}"} for user, tok in tokens(settings).items()}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        def ask(example: str) -> dict[str, object]:
            response = client.post("/api/v1/disclosure-requests", json=request_body(example),
                                   headers=bearer[SRO])
            assert response.status_code == 201, response.text
            body: dict[str, object] = response.json()
            return body

        assert ask("allowed")["decision"] == "ALLOW"
        redacted = ask("redacted")
        assert redacted["decision"] == "ALLOW_REDACTED"
        outcomes = {f["field"]: f for f in redacted["fields"]}  # type: ignore[attr-defined]
        assert outcomes["name"]["outcome"] == "RELEASE"
        assert outcomes["home_address"]["reason"] == "W_37L"
        pending = ask("pending")
        assert pending["decision"] == "PENDING_APPROVAL"
        approved = client.post(f"/api/v1/disclosure-requests/{pending['id']}/approve",
                               json={"note": "approved for the incident"}, headers=bearer[PRINCIPAL])
        assert approved.status_code == 200, approved.text
        assert approved.json()["decision"] == "ALLOW"


def test_demo_command_prints_tokens_and_curl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATEKEEPER_DATABASE_URL", f"sqlite:///{tmp_path}/demo.db")
    monkeypatch.setenv("GATEKEEPER_POLICY_DIR", str(PROJECT / "policies"))
    monkeypatch.setenv("GATEKEEPER_JWT_SECRET", "")  # unset: the demo generates one (restored after the test)

    result = CliRunner().invoke(cli_app, ["demo", "--no-serve"])

    assert result.exit_code == 0, result.output
    assert len(os.environ["GATEKEEPER_JWT_SECRET"]) >= 32
    for variable in ("SRO_TOKEN", "PRINCIPAL_TOKEN", "AUDITOR_TOKEN", "PARENT_TOKEN", "ADMIN_TOKEN"):
        assert f"export {variable}=" in result.output
    assert curl_examples("http://127.0.0.1:8000") in result.output
    assert result.output.count("curl -s -X POST") == 4
