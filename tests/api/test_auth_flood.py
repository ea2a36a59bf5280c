"""No flooding (issue 15, item 4): failed authentications are aggregated per source address and reason (at most
one entry a window, carrying the count), and a source over its limit gets 429 problem+json with Retry-After.
The figure: audit entries added by 1,000 bad-token requests from one address within a minute (at most 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEntry
from app.auth.failures import AuthFailures
from app.db.session import make_engine, make_sessionmaker
from app.main import create_app
from tests.factories import audit_events, auth, bootstrap_admin, make_settings

URL = "/api/v1/policy"


def _auth_failed(client: TestClient) -> list[dict[str, object]]:
    with client.app.state.session_factory() as s:  # type: ignore[attr-defined]
        rows = s.scalars(select(AuditEntry).where(AuditEntry.type == "auth.failed").order_by(AuditEntry.seq))
        return [json.loads(r.data) for r in rows]


def test_1000_bad_tokens_from_one_address_add_at_most_two_entries(client: TestClient,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = len(_auth_failed(client))
    statuses: dict[int, int] = {}
    for _ in range(1000):
        resp = client.get(URL, headers={"Authorization": "Bearer not-a-jwt"})
        statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
    limited = client.get(URL, headers={"Authorization": "Bearer not-a-jwt"})
    assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 60 and limited.json()["status"] == 429
    # A valid token from the same address is not limited.
    assert client.get(URL, headers=auth("admin")).status_code == 200
    client.app.state.auth_failures.flush(everything=True)  # type: ignore[attr-defined]  # what a reader of the log sees
    added = _auth_failed(client)[before:]
    with capsys.disabled():
        print(f"\n1,000 bad-token requests from one address within a minute (plus one more): {statuses} ->"
              f" {len(added)} auth.failed audit entries, counts {[e['count'] for e in added]}")
    assert statuses == {401: 60, 429: 940}
    assert len(added) <= 2
    assert sum(int(e["count"]) for e in added) == 1001  # type: ignore[call-overload]
    assert sum(int(e.get("limited", 0)) for e in added) == 941  # type: ignore[call-overload]
    assert {e["source"] for e in added} == {"testclient"} and {e["problem"] for e in added} == {"malformed token"}


def test_each_reason_has_its_entry_and_the_first_is_written_at_once(client: TestClient) -> None:
    before = len(_auth_failed(client))
    client.get(URL)
    assert [e["problem"] for e in _auth_failed(client)[before:]] == ["missing_token"]  # before anyone reads
    client.get(URL)
    client.get(URL, headers={"Authorization": "Bearer not-a-jwt"})
    client.get(URL, headers=auth("nobody"))
    client.get(URL, headers=auth("admin", ttl=-3600))
    # Reading the log writes what was still counted: every failure is in it, none twice.
    events = audit_events(client, "admin", type="auth.failed")[before:]
    counts: dict[str, int] = {}
    for e in events:
        counts[e["data"]["problem"]] = counts.get(e["data"]["problem"], 0) + e["data"]["count"]
    assert counts == {"missing_token": 2, "malformed token": 1, "unknown_user": 1, "ExpiredSignatureError": 1}
    assert all(e["data"]["path"] == URL and e["data"]["status"] == 401 for e in events)


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_windows_roll_over_with_the_count_carried(factory: sessionmaker[Session]) -> None:
    now = [1000.0]
    failures = AuthFailures(factory, window_s=60, per_minute=3, monotonic=lambda: now[0])
    sample = {"method": "GET", "path": URL, "status": 401}

    def written() -> list[dict[str, object]]:
        with factory() as s:
            return [json.loads(r.data) for r in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]

    for _ in range(5):
        assert failures.note_failure("10.0.0.1") is None or now[0] >= 1000
        failures.refused("10.0.0.1", "InvalidSignatureError", None, False, sample)
    failures.refused("10.0.0.2", "InvalidSignatureError", None, False, sample)
    assert [(e["source"], e["count"]) for e in written()] == [("10.0.0.1", 1), ("10.0.0.2", 1)]
    assert failures.flush() == 0  # the window has not ended
    now[0] += 61
    assert failures.flush() == 1  # its four counted failures, once
    assert [(e["source"], e["count"]) for e in written()][-1] == ("10.0.0.1", 4)
    # The flood goes on: the next window's failures are one entry again, and a new failure after a quiet window
    # carries what the window still held.
    failures.refused("10.0.0.1", "InvalidSignatureError", None, False, sample)
    now[0] += 61
    failures.refused("10.0.0.1", "InvalidSignatureError", None, True, sample)
    assert [(e["source"], e["count"], e.get("limited")) for e in written()][-1] == ("10.0.0.1", 2, 1)
    assert len(written()) == 4


def test_rate_limit_counts_failures_per_minute(factory: sessionmaker[Session]) -> None:
    now = [0.0]
    failures = AuthFailures(factory, per_minute=2, monotonic=lambda: now[0])
    assert [failures.note_failure("a") for _ in range(2)] == [None, None]
    now[0] = 20.0
    assert failures.note_failure("a") == 40  # Retry-After: the rest of the minute
    assert failures.note_failure("b") is None  # another address has its own count
    now[0] = 60.0
    assert failures.note_failure("a") is None


def test_limit_and_window_come_from_settings(db_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(db_url, tmp_path, auth_failures_per_minute=2, auth_failed_window_s=5))
    with TestClient(app, raise_server_exceptions=False) as client:
        bootstrap_admin(client)
        got = [client.get(URL).status_code for _ in range(4)]
        assert got == [401, 401, 429, 429]
        assert app.state.auth_failures.window_s == 5


def test_bad_tokens_on_the_audit_routes_do_not_flush_the_counts(client: TestClient) -> None:
    """Reading the log writes the pending counts, but only for a caller whose token verifies: bad tokens sent to
    the audit routes themselves are aggregated like any others."""
    before = len(_auth_failed(client))
    for _ in range(50):
        assert client.get("/api/v1/audit/events", headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401
    assert len(_auth_failed(client)) - before == 1
    assert len(audit_events(client, "admin", type="auth.failed")) - before == 2  # a real reader flushes
