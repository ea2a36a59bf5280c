"""Deployment keys (issue 18, items 4-5): created only for a new installation, 0600, a lost one refuses start-up,
rotation keeps old checkpoints verifiable, and an auditor verifies an export offline with the public key alone."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.audit.cli import audit_app, keys_app
from app.audit.keys import KeyFileError, prepare_keys
from app.config import get_settings
from app.main import create_app
from tests.audit.conftest import fill
from tests.factories import auth, bootstrap_admin, make_settings

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GATEKEEPER_DATABASE_URL", db_url)
    monkeypatch.setenv("GATEKEEPER_ENV", "test")
    monkeypatch.setenv("GATEKEEPER_SIGNING_KEY_FILE", str(tmp_path / "signing.pem"))
    monkeypatch.setenv("GATEKEEPER_DIGEST_KEY_FILE", str(tmp_path / "digest.key"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_keys_are_made_for_a_new_installation_only_and_must_be_private(env: Path,
                                                                       factory: sessionmaker[Session]) -> None:
    made = runner.invoke(keys_app, ["init"])
    assert made.exit_code == 0, made.output
    for name in ("signing.pem", "digest.key"):
        assert (env / name).stat().st_mode & 0o777 == 0o600
    fill(factory, 3)
    backup = (env / "digest.key").read_bytes()
    (env / "digest.key").unlink()
    refused = runner.invoke(keys_app, ["init"])
    assert refused.exit_code == 1 and "restore the key from backup" in refused.output
    assert not (env / "digest.key").exists()
    with pytest.raises(KeyFileError, match="digest.key missing while the audit log has entries"):
        create_app(make_settings(get_settings().database_url, env))
    (env / "digest.key").write_bytes(backup)  # restored from backup, but left readable by others
    os.chmod(env / "digest.key", 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        prepare_keys(env / "digest.key", env / "signing.pem", lambda: False)


def test_rotation_keeps_old_checkpoints_verifiable_and_the_api_lists_the_retired_key(
        db_url: str, tmp_path: Path, env: Path) -> None:
    with TestClient(create_app(make_settings(db_url, env)), raise_server_exceptions=False) as client:
        bootstrap_admin(client)
        first = client.post("/api/v1/audit/checkpoints", headers=auth("admin")).json()
        rotated = runner.invoke(keys_app, ["rotate"])
        assert rotated.exit_code == 0, rotated.output
        ids = json.loads(rotated.output)
        assert ids["retired_key_id"] == first["key_id"] != ids["key_id"]
        second = client.post("/api/v1/audit/checkpoints", headers=auth("admin"))
        assert second.status_code == 201, second.text
        assert second.json()["key_id"] == ids["key_id"]
        listed = client.get("/api/v1/audit/checkpoints", headers=auth("admin")).json()
        assert [k["key_id"] for k in listed["retired_signing_keys"]] == [first["key_id"]]
        assert client.get("/api/v1/audit/verify", headers=auth("admin")).json()["ok"] is True
    (env / "cp1.json").write_text(json.dumps(first))
    old = runner.invoke(audit_app, ["verify", "--checkpoint", str(env / "cp1.json")])
    assert old.exit_code == 0, old.output
    public = runner.invoke(keys_app, ["public", "--retired"])
    assert public.output.count("BEGIN PUBLIC KEY") == 2


def _public_key_file(env: Path) -> Path:
    printed = runner.invoke(keys_app, ["public", "--retired"])
    assert printed.exit_code == 0, printed.output
    path = env / "published.pem"
    path.write_text(printed.output.split("-----END PUBLIC KEY-----")[0] + "-----END PUBLIC KEY-----\n")
    return path


def test_an_auditor_verifies_an_export_and_a_checkpoint_with_the_public_key_alone(
        db_url: str, env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app(make_settings(db_url, env)), raise_server_exceptions=False) as client:
        bootstrap_admin(client)
        for _ in range(3):
            client.get("/api/v1/audit/events", headers=auth("admin"))
        checkpoint = client.post("/api/v1/audit/checkpoints", headers=auth("admin")).json()
        client.get("/api/v1/audit/events", headers=auth("admin"))
        export = client.get("/api/v1/audit/export", params={"format": "jsonl"}, headers=auth("admin")).text
    public_key = _public_key_file(env)
    auditor = tmp_path / "auditor"  # a machine with no database and no private key
    auditor.mkdir()
    (auditor / "export.jsonl").write_text(export)
    (auditor / "cp.json").write_text(json.dumps(checkpoint))
    monkeypatch.setenv("GATEKEEPER_DATABASE_URL", f"sqlite:///{auditor}/absent/none.db")
    monkeypatch.setenv("GATEKEEPER_SIGNING_KEY_FILE", str(auditor / "signing.pem"))
    monkeypatch.setenv("GATEKEEPER_DIGEST_KEY_FILE", str(auditor / "digest.key"))
    get_settings.cache_clear()

    def verify(lines: list[str], *extra: str) -> tuple[int, dict[str, object]]:
        (auditor / "check.jsonl").write_text("".join(lines))
        done = runner.invoke(audit_app, ["verify-export", str(auditor / "check.jsonl"), "--public-key",
                                         str(public_key), *extra])
        return done.exit_code, json.loads(done.output) if done.exit_code in (0, 1) else {}

    lines = export.splitlines(keepends=True)
    code, result = verify(lines, "--checkpoint", str(auditor / "cp.json"))
    assert (code, result["ok"], result["checked"], result["checkpoint_seq"]) == (0, True, len(lines),
                                                                                 checkpoint["seq"])
    edited = json.loads(lines[1])
    edited["actor_id"] = "someone-else"
    assert verify([lines[0], json.dumps(edited) + "\n", *lines[2:]])[1]["problem"] == "hash_mismatch"
    assert verify([lines[0], *lines[2:]])[1]["unlinked_gaps"] == 1  # a district's export may skip seqs...
    assert verify([lines[0], *lines[2:]], "--complete")[1]["problem"] == "gap"  # ...the whole log may not
    assert verify(lines[: checkpoint["seq"] - 1], "--checkpoint", str(auditor / "cp.json"))[1]["problem"] == \
        "truncated"  # ...and an export cut before the checkpoint is caught
    forged = {**checkpoint, "hash": "0" * 64}
    (auditor / "forged.json").write_text(json.dumps(forged))
    assert verify(lines, "--checkpoint", str(auditor / "forged.json"))[1]["problem"] == "checkpoint_mismatch"
    # `audit verify --checkpoint` with the published key alone never creates a private key either.
    runner.invoke(audit_app, ["verify", "--checkpoint", str(auditor / "cp.json"), "--public-key", str(public_key)])
    assert sorted(p.name for p in auditor.iterdir()) == ["check.jsonl", "cp.json", "export.jsonl", "forged.json"]
