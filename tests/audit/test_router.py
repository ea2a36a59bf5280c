"""The audit routes (API.md section 9) end to end: roles, filters, cursor, verify, checkpoints, export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.routers import audit as audit_routes
from app.main import create_app
from tests.factories import auth, bootstrap_admin, make_settings


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, tmp_path))
    if not any(getattr(r, "path", "").startswith("/api/v1/audit") for r in app.routes):
        app.include_router(audit_routes.router)  # Until main.py includes it.
    with TestClient(app, raise_server_exceptions=False) as c:
        bootstrap_admin(c)
        from app.domain.districts.schemas import UserIn
        from app.domain.districts.service import put_user

        with app.state.session_factory() as s, s.begin():
            for user_id, role in (("aud-1", "auditor"), ("sro-1", "sro")):
                put_user(s, None, user_id, UserIn(name=user_id, role=role), app.state.vocabulary)
        yield c


def test_events_filters_paginate_and_are_audited(client: TestClient) -> None:
    first = client.get("/api/v1/audit/events", params={"limit": 2}, headers=auth("aud-1"))
    assert first.status_code == 200, first.text
    body = first.json()
    assert [e["seq"] for e in body["events"]] == [1, 2] and body["next_cursor"] == "2"
    assert {"seq", "at", "type", "actor_id", "student_id", "request_id", "data", "policy_version",
            "config_version", "prev_hash", "hash"} <= set(body["events"][0])
    rest = client.get("/api/v1/audit/events", params={"cursor": "2", "limit": 1000}, headers=auth("aud-1")).json()
    assert rest["events"][0]["seq"] == 3
    queried = client.get("/api/v1/audit/events", params={"type": "audit.queried", "actor_id": "aud-1"},
                         headers=auth("aud-1")).json()["events"]
    assert [e["data"]["route"] for e in queried] == ["events", "events"]
    assert client.get("/api/v1/audit/events", params={"cursor": "x"}, headers=auth("aud-1")).status_code == 400
    assert client.get("/api/v1/audit/events", params={"type": "a b"}, headers=auth("aud-1")).status_code == 400


def test_only_auditors_and_admins_read(client: TestClient) -> None:
    assert client.get("/api/v1/audit/events", headers=auth("sro-1")).status_code == 403
    assert client.get("/api/v1/audit/verify").status_code == 401
    assert client.post("/api/v1/audit/checkpoints", headers=auth("aud-1")).status_code == 403


def test_verify_and_checkpoints(client: TestClient) -> None:
    verified = client.get("/api/v1/audit/verify", headers=auth("aud-1")).json()
    assert verified["ok"] is True and verified["problem"] is None and verified["checked"] == verified["head"]["seq"]
    created = client.post("/api/v1/audit/checkpoints", headers=auth("admin"))
    assert created.status_code == 201, created.text
    checkpoint = created.json()
    assert set(checkpoint) == {"seq", "hash", "signed_at", "key_id", "signature"}
    listed = client.get("/api/v1/audit/checkpoints", headers=auth("aud-1")).json()
    assert listed["checkpoints"][0] == checkpoint and listed["signing_key"]["key_id"] == checkpoint["key_id"]
    incremental = client.get("/api/v1/audit/verify", params={"from_checkpoint": True}, headers=auth("aud-1")).json()
    assert incremental["ok"] and incremental["checkpoint_seq"] == checkpoint["seq"]
    assert incremental["checked"] < incremental["head"]["seq"] + 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_streams_every_event(client: TestClient, fmt: str) -> None:
    response = client.get("/api/v1/audit/export", params={"format": fmt}, headers=auth("aud-1"))
    assert response.status_code == 200, response.text
    lines = response.text.splitlines()
    if fmt == "jsonl":
        seqs = [json.loads(line)["seq"] for line in lines]
    else:
        assert lines[0].startswith("seq,at,type")
        seqs = [int(line.split(",", 1)[0]) for line in lines[1:]]
    assert seqs == list(range(1, len(seqs) + 1)) and seqs
    assert client.get("/api/v1/audit/export", params={"format": "xml"}, headers=auth("aud-1")).status_code == 422
