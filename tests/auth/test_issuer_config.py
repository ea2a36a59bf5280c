"""Trusted issuers and key material as configuration (issue 15, items 1 and 2): good ones load from the environment
or a file; bad ones refuse start-up with a message naming what is wrong."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from app.auth.issuers import IssuerConfigError
from app.config import Settings
from tests.factories import PROJECT, SECRET

GOOD = {"issuer": "https://login.microsoftonline.com/tid/v2.0", "audience": "api://gatekeeper", "discovery": True,
        "algorithms": ["RS256"], "claim": "oid"}


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def test_issuers_from_environment_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "issuers.yaml"
    path.write_text("issuers:\n  - issuer: https://accounts.google.com\n    audience: 1234.apps.googleusercontent.com\n"
                    "    jwks_url: https://www.googleapis.com/oauth2/v3/certs\n    claim: email\n", encoding="utf-8")
    monkeypatch.setenv("GATEKEEPER_ISSUERS", json.dumps([GOOD]))
    settings = Settings(env="test", issuers_file=path)
    assert [(i.issuer, i.claim, i.audience) for i in settings.issuers] == [
        (GOOD["issuer"], "oid", ["api://gatekeeper"]),
        ("https://accounts.google.com", "email", ["1234.apps.googleusercontent.com"])]
    assert settings.issuers[0].discovery_url == GOOD["issuer"] + "/.well-known/openid-configuration"
    # A trusted issuer is a key: production needs no HS256 secret then.
    assert Settings(env="production", issuers_file=path).jwt_secret is None


@pytest.mark.parametrize(("bad", "words"), [
    ({**GOOD, "algorithms": ["HS256"]}, "not an allowed algorithm"),
    ({**GOOD, "algorithms": ["none"]}, "not an allowed algorithm"),
    ({**GOOD, "discovery": False}, "exactly one of jwks_url or discovery"),
    ({**GOOD, "jwks_url": "https://x/jwks"}, "exactly one of jwks_url or discovery"),
    ({**GOOD, "issuer": "http://idp.example", "discovery": True}, "https"),
    ({**GOOD, "audience": []}, "audience"),
    ({**GOOD, "claim": "a b"}, "claim"),
    ({**GOOD, "surprise": 1}, "surprise"),
])
def test_bad_issuers_refuse_to_load(tmp_path: Path, bad: dict[str, Any], words: str) -> None:
    path = tmp_path / "issuers.json"
    path.write_text(json.dumps([bad]), encoding="utf-8")
    with pytest.raises((ValidationError, IssuerConfigError)) as caught:
        Settings(env="test", issuers_file=path)
    assert words in str(caught.value)


def test_twice_the_same_issuer_or_the_local_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "issuers.json"
    path.write_text(json.dumps([GOOD, GOOD]), encoding="utf-8")
    with pytest.raises(ValueError, match="configured twice"):
        Settings(env="test", issuers_file=path)
    path.write_text(json.dumps([{**GOOD, "issuer": "https://gk.example"}]), encoding="utf-8")
    with pytest.raises(ValueError, match="also GATEKEEPER_JWT_ISSUER"):
        Settings(env="test", issuers_file=path, jwt_secret=SECRET, jwt_issuer="https://gk.example")
    with pytest.raises(ValueError, match="cannot be read"):
        Settings(env="test", issuers_file=tmp_path / "missing.yaml")


def test_public_key_with_escaped_newlines_is_refused_with_a_clear_message() -> None:
    pem = _pem()
    assert Settings(env="test", jwt_public_key=pem).jwt_public_key == pem
    with pytest.raises(ValidationError, match="literal \\\\n sequences"):
        Settings(env="test", jwt_public_key=pem.replace("\n", "\\n"))
    with pytest.raises(ValidationError, match="not a PEM public key"):
        Settings(env="test", jwt_public_key="MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
    with pytest.raises(ValidationError, match="cannot be loaded"):
        Settings(env="test", jwt_public_key="-----BEGIN PUBLIC KEY-----\nnot-base64\n-----END PUBLIC KEY-----\n")


def test_serve_refuses_to_start_on_bad_key_material(tmp_path: Path) -> None:
    env = {**os.environ, "GATEKEEPER_ENV": "test", "GATEKEEPER_DATABASE_URL": f"sqlite:///{tmp_path}/gk.db",
           "GATEKEEPER_JWT_PUBLIC_KEY": _pem().replace("\n", "\\n")}
    run = subprocess.run([str(PROJECT / ".venv" / "bin" / "gatekeeper"), "serve", "--port", "1"], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2 and "literal \\n sequences" in run.stderr
