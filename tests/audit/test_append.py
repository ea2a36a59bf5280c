"""Appending: one unbroken chain under concurrency, and no audit entry means no commit (R-AUD-1)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.audit.guard import AuditGuardError
from app.audit.models import AuditChainHead, AuditEntry
from app.audit.service import Event, append, append_all, append_in_new_transaction
from app.audit.verify import verify_chain
from app.db.models import District

WRITERS = 64
PER_WRITER = 4
BATCH = 3


def _district(district_id: str) -> District:
    return District(id=district_id, name="Harbor", timezone="America/New_York", updated_at=datetime.now(UTC))


def test_append_numbers_hashes_and_never_commits(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        first = append(s, "policy.loaded", actor_id="gatekeeper", data={"policy_version": "sha256:x"})
        second = append(s, "config.changed", actor_id="admin", data={"entity": "school", "id": "hhs"})
        assert (first.seq, second.seq) == (1, 2)
        assert second.at.tzinfo is not None and second.at >= first.at
        row = s.get(AuditEntry, 2)
        assert row is not None and row.prev_hash == first.hash and row.hash == second.hash
        s.rollback()  # The caller did not commit: nothing was written, the head did not move.
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
        assert s.scalar(select(AuditChainHead.seq)) == 0


def test_append_all_chains_in_order_under_one_lock(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        append(s, "policy.loaded", actor_id="gatekeeper", data={"policy_version": "sha256:x"})
        batch = append_all(s, [Event("request.created", "sro-1", "st-1", "req-1", {"fields": ["name"]}),
                               Event("request.decided", "gatekeeper", "st-1", "req-1", {"decision": "DENY"}),
                               Event("data.read", "sro-1", "st-1", "req-1")])
        assert [e.seq for e in batch] == [2, 3, 4]
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [r.type for r in rows] == ["policy.loaded", "request.created", "request.decided", "data.read"]
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
        assert s.scalar(select(AuditChainHead.hash)) == batch[-1].hash
        assert append_all(s, []) == []
        s.commit()
    with factory() as s:
        assert verify_chain(s).ok


def test_append_all_refuses_the_whole_batch_for_one_bad_event(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        s.add(_district("d-batch"))
        with pytest.raises(AuditGuardError):
            append_all(s, [Event("request.created", "sro-1", data={"fields": ["name"]}),
                           Event("record.loaded", "admin", data={"value": "Jordan Alves"})])
        s.commit()
    with factory() as s:
        assert s.get(District, "d-batch") is None
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_concurrent_appenders_make_one_unbroken_chain(factory: sessionmaker[Session]) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_WRITER):
                with factory() as s:
                    if i % 2:  # single appends and batches interleave in one chain
                        append_all(s, [Event("data.read", f"sro-{n}", f"st-{n % 7}", data={"i": i, "part": p})
                                       for p in range(BATCH)])
                    else:
                        append(s, "data.read", actor_id=f"sro-{n}", student_id=f"st-{n % 7}", data={"i": i})
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as s:
        result = verify_chain(s, batch_size=37)  # Odd batch size: the chain crosses many batch edges.
        assert result.ok, result
        expected = WRITERS * (PER_WRITER // 2) * (1 + BATCH)
        assert result.checked == expected == result.head["seq"]
        seqs = s.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert seqs == list(range(1, expected + 1))


def test_guard_failure_rolls_back_the_callers_transaction(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        s.add(_district("d-guard"))
        with pytest.raises(AuditGuardError):
            append(s, "record.loaded", actor_id="admin", data={"value": "Jordan Alves"})
        s.commit()  # Even a caller that swallows the error commits nothing of the request.
    with factory() as s:
        assert s.get(District, "d-guard") is None
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_database_failure_of_the_append_rolls_back_everything(engine: Engine,
                                                              factory: sessionmaker[Session]) -> None:
    with engine.begin() as conn:  # Make the database refuse audit inserts.
        if engine.dialect.name == "postgresql":
            conn.execute(text("CREATE FUNCTION t_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                              "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"))
            conn.execute(text("CREATE TRIGGER t_refuse BEFORE INSERT ON audit_entries "
                              "FOR EACH ROW EXECUTE FUNCTION t_refuse()"))
        else:
            conn.execute(text("CREATE TRIGGER t_refuse BEFORE INSERT ON audit_entries "
                              "BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    with factory() as s:
        s.add(_district("d-fail"))
        with pytest.raises(DBAPIError):
            append(s, "config.changed", actor_id="admin", data={"entity": "district", "id": "d-fail"})
        s.commit()
    with factory() as s:
        assert s.get(District, "d-fail") is None
        assert s.scalar(select(AuditChainHead.seq)) == 0


def test_append_in_new_transaction_survives_the_requests_rollback(factory: sessionmaker[Session]) -> None:
    with factory() as request_session:
        request_session.add(_district("d-rolled-back"))
        request_session.flush()
        request_session.rollback()
    entry = append_in_new_transaction(factory, "auth.failed", actor_id=None,
                                      data={"method": "GET", "path": "/api/v1/x", "problem": "missing_token"})
    with factory() as s:
        row = s.get(AuditEntry, entry.seq)
        assert row is not None and row.type == "auth.failed" and row.actor_id is None
        assert s.get(District, "d-rolled-back") is None


def test_quotes_backslashes_and_non_ascii_verify_on_both_databases(factory: sessionmaker[Session]) -> None:
    """The database rebuilds the hashed text for the verifier; its string quoting must match Python's."""
    with factory() as s:
        append(s, "config.changed", actor_id='Zoë "Z" \\ 名', student_id="st-ü/1", request_id="req'1",
               data={"entity": "user", "id": 'a"b\\c é', "changed": ["ñ", "ß", "😀"]},
               policy_version="sha256:p", config_version=None)
        s.commit()
    with factory() as s:
        result = verify_chain(s)
        assert result.ok and result.checked == 1, result
