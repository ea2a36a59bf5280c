"""Append-only in the database, and a DBA who goes around it is caught by verify (R-AUD-2)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.audit.chain import v1_body_text
from app.audit.checkpoints import create_checkpoint
from app.audit.queries import query_events
from app.audit.schema import columns_are_derived
from app.audit.signing import sign_checkpoint
from app.audit.verify import verify_chain
from app.domain.access import EVERYWHERE
from tests.audit.conftest import dba, fill
from tests.factories import signing_key_at

N = 30


def _verify(factory: sessionmaker[Session], **kw: Any) -> Any:
    with factory() as s:
        return verify_chain(s, batch_size=7, **kw)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET body = '{}' WHERE seq = 3",
    "UPDATE audit_entries SET student_id = 'st-x' WHERE seq = 3",
    "DELETE FROM audit_entries WHERE seq = 3",
    "DELETE FROM audit_entries",
    "DELETE FROM audit_chain_head",
    "UPDATE audit_chain_head SET seq = 1",
])
def test_the_database_refuses_update_and_delete(engine: Engine, factory: sessionmaker[Session],
                                                statement: str) -> None:
    fill(factory, 5)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text(statement))
    assert _verify(factory).ok


def test_postgres_refuses_truncate(engine: Engine, factory: sessionmaker[Session]) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    fill(factory, 2)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_entries"))


@pytest.mark.parametrize(("statement", "problem", "bad_seq"), [
    ("UPDATE audit_entries SET body = replace(body, '\"name\"', '\"religion\"') WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET format_version = 2 WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET request_id = NULL WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET config_version = 'sha256:q' WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET student_id = 'st-9' WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET actor_id = NULL WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET type = 'data.read' WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET policy_version = 'sha256:q' WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET occurred_at = occurred_at + INTERVAL '1 second' WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET hash = prev_hash WHERE seq = 13", "hash_mismatch", 13),
    ("UPDATE audit_entries SET prev_hash = hash WHERE seq = 13", "broken_link", 13),
    ("DELETE FROM audit_entries WHERE seq = 13", "gap", 13),
    ("DELETE FROM audit_entries WHERE seq = 1", "gap", 1),
    ("DELETE FROM audit_entries WHERE seq = 30", "truncated", 30),
    ("UPDATE audit_chain_head SET hash = 'f' WHERE id = 1", "seq_mismatch", 30),
])
def test_a_single_edited_or_deleted_row_is_found_at_its_seq(engine: Engine, factory: sessionmaker[Session],
                                                            statement: str, problem: str, bad_seq: int) -> None:
    fill(factory, N)
    if engine.dialect.name == "sqlite":
        statement = statement.replace("occurred_at + INTERVAL '1 second'", "replace(occurred_at, ':', '-')")
    # Editing a filter column apart from body first takes turning its generation expression off.
    decouple = not any(f"SET {column} " in statement for column in ("body", "hash", "prev_hash", "seq"))
    with dba(engine, decouple=decouple) as conn:
        conn.execute(text(statement))
    result = _verify(factory)
    assert (result.ok, result.problem, result.first_bad_seq) == (False, problem, bad_seq)


@pytest.mark.parametrize("column", ["student_id", "actor_id", "occurred_at", "type"])
def test_a_filter_column_cannot_be_edited_apart_from_body(engine: Engine, factory: sessionmaker[Session],
                                                          column: str) -> None:
    fill(factory, 5)
    with pytest.raises(DBAPIError), dba(engine) as conn:  # Triggers off, and still the database refuses.
        conn.execute(text(f"UPDATE audit_entries SET {column} = NULL WHERE seq = 3"))
    with factory() as s:
        assert columns_are_derived(s)  # The fast path: no per-row column check needed.
    assert _verify(factory).ok


def test_decoupled_but_unedited_columns_still_verify(engine: Engine, factory: sessionmaker[Session]) -> None:
    fill(factory, N)
    with dba(engine, decouple=True):
        pass
    with factory() as s:
        assert not columns_are_derived(s)
    assert _verify(factory).ok  # The slow path compares every row and finds nothing wrong.


def test_reordered_rows_are_found(engine: Engine, factory: sessionmaker[Session]) -> None:
    fill(factory, N)
    with dba(engine) as conn:
        conn.execute(text("UPDATE audit_entries SET seq = -1 WHERE seq = 9"))
        conn.execute(text("UPDATE audit_entries SET seq = 9 WHERE seq = 10"))
        conn.execute(text("UPDATE audit_entries SET seq = 10 WHERE seq = -1"))
    result = _verify(factory)
    assert (result.problem, result.first_bad_seq) == ("broken_link", 9)


def _rewrite_tail(engine: Engine, factory: sessionmaker[Session], from_seq: int) -> None:
    """The careful DBA: changes history from `from_seq` on and recomputes every hash and the head."""
    with factory() as s:
        events, _ = query_events(s, scope=EVERYWHERE, limit=1000)
        s.rollback()
    last = events[from_seq - 2]["hash"] if from_seq > 1 else "0" * 64
    with dba(engine) as conn:
        for e in events[from_seq - 1:]:
            seq, data = e["seq"], '{"fields":["religion"]}'
            body = v1_body_text(seq, e["at"], e["type"], e["actor_id"], e["student_id"], e["request_id"], data,
                                e["policy_version"], e["config_version"])
            digest = hashlib.sha256((last + body).encode()).hexdigest()
            conn.execute(text("UPDATE audit_entries SET body = :b, prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"b": body, "p": last, "h": digest, "s": seq})
            last = digest
        conn.execute(text("UPDATE audit_chain_head SET hash = :h WHERE id = 1"), {"h": last})


def _checkpoint(factory: sessionmaker[Session], tmp_path: Path) -> dict[str, Any]:
    key = signing_key_at(tmp_path / "signing.pem")
    with factory() as s:
        checkpoint = create_checkpoint(s, key, actor_id="admin")
        s.commit()
    return checkpoint


def test_recomputed_history_passes_alone_but_not_against_a_checkpoint(
        engine: Engine, factory: sessionmaker[Session], tmp_path: Path) -> None:
    fill(factory, 20)
    checkpoint = _checkpoint(factory, tmp_path)  # Signs seq 20, then audits itself as seq 21.
    assert checkpoint["seq"] == 20
    fill(factory, 10)
    _rewrite_tail(engine, factory, from_seq=15)
    assert _verify(factory).ok  # Without an anchor outside the database, a full recomputation is undetectable.
    public_key = signing_key_at(tmp_path / "signing.pem").public_key()
    for from_checkpoint in (False, True):
        result = _verify(factory, checkpoint=checkpoint, public_key=public_key, from_checkpoint=from_checkpoint)
        assert (result.ok, result.problem, result.first_bad_seq) == (False, "checkpoint_mismatch", 20)


def test_rewriting_only_after_the_checkpoint_is_not_blamed_on_it(
        engine: Engine, factory: sessionmaker[Session], tmp_path: Path) -> None:
    fill(factory, 10)
    checkpoint = _checkpoint(factory, tmp_path)
    fill(factory, 10)
    public_key = signing_key_at(tmp_path / "signing.pem").public_key()
    result = _verify(factory, checkpoint=checkpoint, public_key=public_key, from_checkpoint=True)
    assert result.ok and result.checked == 12  # The checkpointed entry, its audit event, and the 10 after.


def test_truncation_with_a_rewound_head_is_found_by_the_checkpoint(
        engine: Engine, factory: sessionmaker[Session], tmp_path: Path) -> None:
    fill(factory, 20)
    checkpoint = _checkpoint(factory, tmp_path)
    with factory() as s:
        events, _ = query_events(s, scope=EVERYWHERE, limit=1000)
    with dba(engine) as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq > 15"))
        conn.execute(text("UPDATE audit_chain_head SET seq = 15, hash = :h WHERE id = 1"), {"h": events[14]["hash"]})
    assert _verify(factory).ok
    public_key = signing_key_at(tmp_path / "signing.pem").public_key()
    result = _verify(factory, checkpoint=checkpoint, public_key=public_key)
    assert (result.ok, result.problem, result.first_bad_seq) == (False, "truncated", 16)


def test_a_forged_or_altered_checkpoint_is_refused(factory: sessionmaker[Session], tmp_path: Path) -> None:
    fill(factory, 5)
    checkpoint = _checkpoint(factory, tmp_path)
    public_key = signing_key_at(tmp_path / "signing.pem").public_key()
    altered = {**checkpoint, "hash": "a" * 64}
    forged = sign_checkpoint(signing_key_at(tmp_path / "attacker.pem"), checkpoint["seq"],
                             checkpoint["hash"], datetime.now(UTC))
    for bad in (altered, forged, {**checkpoint, "signature": "not base64!"}):
        result = _verify(factory, checkpoint=bad, public_key=public_key)
        assert (result.ok, result.problem) == (False, "checkpoint_mismatch")
    assert _verify(factory, checkpoint=checkpoint, public_key=public_key).ok


def test_checkpoint_refuses_to_sign_a_broken_chain(engine: Engine, factory: sessionmaker[Session],
                                                   tmp_path: Path) -> None:
    from app.audit.checkpoints import ChainBroken

    fill(factory, 5)
    with dba(engine) as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
    with pytest.raises(ChainBroken), factory() as s:
        create_checkpoint(s, signing_key_at(tmp_path / "signing.pem"), actor_id="admin")


def test_moving_text_from_body_into_prev_hash_is_found(engine: Engine, factory: sessionmaker[Session]) -> None:
    """prev_hash || body hashes the same if a character moves across the boundary; the scan pins prev_hash's length."""
    fill(factory, N)
    move = "UPDATE audit_entries SET prev_hash = prev_hash || substr(body, 1, 1), body = substr(body, 2) WHERE seq = 13"
    with pytest.raises(DBAPIError), dba(engine) as conn:  # The generated columns cannot parse what is left.
        conn.execute(text(move))
    with dba(engine, decouple=True) as conn:
        if engine.dialect.name == "postgresql":  # varchar(64) is enforced there: the DBA widens it first.
            conn.execute(text("ALTER TABLE audit_entries ALTER COLUMN prev_hash TYPE text"))
        conn.execute(text(move))
    result = _verify(factory)  # The link no longer matches, and (on SQLite) the body is no longer JSON.
    assert (result.ok, result.first_bad_seq) == (False, 13) and result.problem in ("broken_link", "hash_mismatch")
