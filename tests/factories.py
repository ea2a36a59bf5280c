"""Small factories for tests: settings, an app client, tokens and a minimal district."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.audit.keys import init_keys, load_signing_key
from app.config import Settings

PROJECT = Path(__file__).resolve().parents[1]
SECRET = "test-secret-" + "x" * 40


def make_settings(db_url: str, tmp: Path, **over: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url, "env": "test", "jwt_secret": SECRET, "policy_dir": PROJECT / "policies",
        "signing_key_file": tmp / "signing.pem", "digest_key_file": tmp / "digest.key",
    }
    values.update(over)
    return Settings(**values)


def signing_key_at(path: Path) -> Ed25519PrivateKey:
    """A signing key file for a test, made as `gatekeeper keys init` makes it (with a digest key beside it)."""
    init_keys(path.with_name(path.name + ".digest"), path)
    return load_signing_key(path)


def token(sub: str, *, secret: str = SECRET, iss: str = "gatekeeper", aud: str = "gatekeeper",
          ttl: int = 3600, alg: str = "HS256", key: Any = None) -> str:
    now = int(time.time())
    claims = {"sub": sub, "iss": iss, "aud": aud, "iat": now, "nbf": now, "exp": now + ttl}
    return jwt.encode(claims, key if key is not None else secret, algorithm=alg)


def auth(sub: str, **kw: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(sub, **kw)}"}


def audit_events(client: httpx.Client, by: str = "aud-1", **params: Any) -> list[dict[str, Any]]:
    """GET /audit/events as `by` (a TestClient or a client of a live server), asserting 200."""
    resp = client.get("/api/v1/audit/events", params={"limit": 1000, **params}, headers=auth(by))
    assert resp.status_code == 200, resp.text[:300]
    found: list[dict[str, Any]] = resp.json()["events"]
    return found


def bootstrap_admin(client: TestClient, user_id: str = "admin") -> None:
    """Create the first admin the way `gatekeeper user add` does."""
    from app.domain.districts.schemas import UserIn
    from app.domain.districts.service import put_user

    app = client.app
    with app.state.session_factory() as session, session.begin():  # type: ignore[attr-defined]
        put_user(session, None, user_id, UserIn(name="Admin", role="admin"), app.state.vocabulary)  # type: ignore[attr-defined]


DISTRICT: dict[str, Any] = {
    "name": "Harbor Regional", "timezone": "America/New_York",
    "mou": {"signed_on": "2024-08-15", "withdrawn_on": None, "filed_with_dese": True},
    "annual_notifications": [{
        "school_year": "2024-25", "starts_on": "2024-08-27", "ends_on": "2025-06-17", "issued_on": "2024-08-26",
        "names_sros": True, "names_pd_contacts": False,
        "sro_purposes": ["LE_RESPONSE", "IMMEDIATE_SAFETY", "THREAT_ASSESSMENT"],
        "directory_fields": ["name", "grade_level"], "directory_opt_out_closes_on": "2024-09-30",
        "directory_recipients": None}],
    "home_language_duty": ["pt"],
    "settings": {"redisclosure_notice_version": "RN-2024-1"},
}
STUDENT: dict[str, Any] = {
    "school_id": "hhs", "name": "Jordan Alves", "date_of_birth": "2009-06-14", "grade_level": "10",
    "fields": {"name": "Jordan Alves", "religion": "Synthetic-religion-value", "class_schedule": "P1 Bio rm 120"},
    "field_sources": {"counseling_notes": "clinician"},
}


def load_district(client: TestClient, admin: str = "admin") -> None:
    h = auth(admin)
    assert client.put("/api/v1/districts/hrps", json=DISTRICT, headers=h).status_code in (200, 201)
    assert client.put("/api/v1/schools/hhs", json={"district_id": "hrps", "name": "HHS", "grades": ["9"]},
                      headers=h).status_code in (200, 201)
    assert client.put("/api/v1/students/st-a", json=STUDENT, headers=h).status_code in (200, 201)
    assert client.put("/api/v1/users/sro-1", json={"name": "Officer", "role": "sro", "school_ids": ["hhs"]},
                      headers=h).status_code in (200, 201)
