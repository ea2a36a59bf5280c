"""Bearer tokens: HS256 and asymmetric keys; iss, aud, exp enforced; roles from the database."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi.testclient import TestClient

from app.main import create_app
from tests.factories import SECRET, bootstrap_admin, make_settings, token

URL = "/api/v1/students/st-a"


def _get(client: TestClient, tok: str) -> int:
    return client.get(URL, headers={"Authorization": f"Bearer {tok}"}).status_code


def test_valid_token_reaches_the_route(client: TestClient) -> None:
    assert _get(client, token("admin")) == 404  # authenticated and authorised; the student does not exist


@pytest.mark.parametrize("bad", [
    token("admin", ttl=-120),  # past the 60 s leeway
    token("admin", iss="someone-else"),
    token("admin", aud="another-service"),
    token("admin", secret="a-different-secret-" + "y" * 30),
    token("admin", alg="HS512"),
    "garbage.not.jwt",
    "",
])
def test_bad_tokens_are_401(client: TestClient, bad: str) -> None:
    resp = client.get(URL, headers={"Authorization": f"Bearer {bad}"})
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_alg_none_is_refused(client: TestClient) -> None:
    def b64(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    unsigned = b64({"alg": "none", "typ": "JWT"}) + "." + b64(
        {"sub": "admin", "iss": "gatekeeper", "aud": "gatekeeper", "exp": 9999999999}) + "."
    assert _get(client, unsigned) == 401


def test_unknown_user_is_401(client: TestClient) -> None:
    assert _get(client, token("nobody-here")) == 401


def test_missing_header_and_wrong_scheme_are_401(client: TestClient) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers={"Authorization": f"Basic {SECRET}"}).status_code == 401


def test_failures_are_audited(client: TestClient) -> None:
    client.get(URL, headers={"Authorization": "Bearer garbage"})
    events = client.get("/api/v1/audit/events?type=auth.failed", headers={"Authorization": f"Bearer {token('admin')}"})
    assert events.status_code == 200
    assert len(events.json()["events"]) >= 1


def test_role_comes_from_the_database_not_the_token(client: TestClient) -> None:
    client.put("/api/v1/users/t-1", json={"name": "T", "role": "staff"},
               headers={"Authorization": f"Bearer {token('admin')}"})
    # A token claiming an admin role changes nothing: only `sub` is read.
    import jwt as pyjwt
    forged = pyjwt.encode({"sub": "t-1", "role": "admin", "iss": "gatekeeper", "aud": "gatekeeper",
                           "exp": 9999999999}, SECRET, algorithm="HS256")
    assert _get(client, forged) == 403


def _keypair(kind: str) -> tuple[object, str, str]:
    if kind == "RS256":
        key: object = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif kind == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return key, public, kind


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_asymmetric_keys(db_url: str, tmp_path: Path, alg: str) -> None:
    key, public, _ = _keypair(alg)
    app = create_app(make_settings(db_url, tmp_path, jwt_secret=None, jwt_public_key=public))
    with TestClient(app, raise_server_exceptions=False) as client:
        bootstrap_admin(client)
        assert _get(client, token("admin", alg=alg, key=key)) == 404
        assert _get(client, token("admin", alg=alg, key=key, ttl=-90)) == 401  # past the 60 s leeway
        other, _, _ = _keypair(alg)
        assert _get(client, token("admin", alg=alg, key=other)) == 401
        # An HS256 token signed with the public key text must not pass (algorithm confusion).
        assert _get(client, _hs256_by_hand({"sub": "admin", "iss": "gatekeeper", "aud": "gatekeeper",
                                            "exp": 9999999999}, public.encode())) == 401


def _hs256_by_hand(claims: dict[str, object], key: bytes) -> str:
    import hashlib
    import hmac

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    return signing_input + "." + b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())
