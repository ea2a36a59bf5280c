"""SQL for the audit log. Never commits: append is the last write of the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, func, insert, select, text
from sqlalchemy.orm import Session

from app.audit.models import AuditChainHead, AuditCheckpoint, AuditEntry

_ENTRIES = cast(Table, AuditEntry.__table__)

# Portable row lock (SQLite >= 3.35 and PostgreSQL): the UPDATE takes the head row's write lock until commit, so
# concurrent appenders queue here and each sees the hash its predecessor committed.
_ADVANCE_HEAD = text("UPDATE audit_chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
_SET_HEAD_HASH = text("UPDATE audit_chain_head SET hash = :hash WHERE id = 1")

# The verifier's scan: each row's hashed v1 text, concatenated by the database from the columns (chain.py explains
# why the quoting matches Python's), so Python only compares links and hashes.
def _v1_body_sql(quote: Callable[[str], str], at: str, seq: str) -> str:
    def field(key: str, expr: str, first: bool = False) -> str:
        return f"'{'{' if first else ','}\"{key}\":' || {expr}"

    parts = [field("actor_id", quote("actor_id"), first=True), field("at", quote(at)),
             field("config_version", quote("config_version")), field("data", "data"),
             field("policy_version", quote("policy_version")), field("request_id", quote("request_id")),
             field("seq", seq), field("student_id", quote("student_id")), field("type", quote("type")),
             "',\"v\":1}'"]
    return " || ".join(parts)


_SCAN_BODY = {
    # SQLite's json_quote(NULL) is already the text null; PostgreSQL's to_json(NULL) is NULL.
    "sqlite": _v1_body_sql(lambda c: f"json_quote({c})", "replace(occurred_at, ' ', 'T') || '+00:00'", "seq"),
    "postgresql": _v1_body_sql(
        lambda c: f"coalesce(to_json({c})::text, 'null')",
        "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')", "seq::text"),
}


def advance_head(session: Session) -> tuple[int, str]:
    row = session.execute(_ADVANCE_HEAD).one()
    return int(row[0]), str(row[1])


def insert_entry(session: Session, *, seq: int, occurred_at: datetime, type: str, actor_id: str | None,
                 student_id: str | None, request_id: str | None, data_json: str, policy_version: str | None,
                 config_version: str | None, format_version: int, prev_hash: str, entry_hash: str) -> None:
    session.execute(insert(_ENTRIES), {
        "seq": seq, "occurred_at": occurred_at, "type": type, "actor_id": actor_id, "student_id": student_id,
        "request_id": request_id, "data": data_json, "policy_version": policy_version,
        "config_version": config_version, "format_version": format_version, "prev_hash": prev_hash,
        "hash": entry_hash,
    })
    session.execute(_SET_HEAD_HASH, {"hash": entry_hash})


def read_head(session: Session) -> tuple[int, str]:
    row = session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1)).one()
    return int(row[0]), str(row[1])


def max_seq(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))).scalar_one())


def scan_sql(dialect: str) -> str:
    """Native-paramstyle SQL for one batch of the verifier's scan: (seq, prev_hash, hash, format_version, v1 text)
    for lo < seq <= hi."""
    body = _SCAN_BODY.get(dialect)
    if body is None:
        raise RuntimeError(f"audit verification does not support the {dialect} dialect")
    mark = "?" if dialect == "sqlite" else "%s"
    # Only module constants are interpolated; lo and hi are bound parameters.
    where = f"WHERE seq > {mark} AND seq <= {mark} ORDER BY seq"
    return f"SELECT seq, prev_hash, hash, format_version, {body} FROM audit_entries {where}"  # noqa: S608


def scan_batch(session: Session, lo: int, hi: int) -> Sequence[tuple[Any, ...]]:
    """Rows with lo < seq <= hi as plain tuples, through the DBAPI cursor: skipping SQLAlchemy's Row and type
    processing is most of what makes verification fast."""
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(scan_sql(conn.dialect.name), (lo, hi))
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    return rows


def add_checkpoint(session: Session, *, seq: int, hash: str, signed_at: str, key_id: str, signature: str) -> None:
    session.add(AuditCheckpoint(seq=seq, hash=hash, signed_at=signed_at, key_id=key_id, signature=signature))
    session.flush()


def list_checkpoints(session: Session, limit: int) -> Sequence[AuditCheckpoint]:
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(limit)
    return session.scalars(stmt).all()


def query_rows(session: Session, filters: Sequence[Any], after_seq: int | None, limit: int) -> Sequence[Row[Any]]:
    stmt = select(_ENTRIES).where(*filters)
    if after_seq is not None:
        stmt = stmt.where(AuditEntry.seq > after_seq)
    return session.execute(stmt.order_by(AuditEntry.seq).limit(limit)).all()
