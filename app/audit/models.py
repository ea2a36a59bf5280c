"""Audit tables: the entries, the one-row chain head that serializes appends, and signed checkpoints.

`audit_entries.data` is the canonical JSON text of the event data, stored byte for byte as it was hashed (not JSONB,
which would reorder keys), so the verifier rebuilds each entry's hashed bytes from the columns with no JSON parsing.
Every column that an auditor filters on is therefore covered by the hash: editing any of them breaks the chain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

# INTEGER PRIMARY KEY makes seq the rowid on SQLite: the table is clustered by seq, which keeps verify's range scan
# sequential. PostgreSQL gets a bigint.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    type: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[str | None] = mapped_column(String(200))
    student_id: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(Text)
    policy_version: Mapped[str | None] = mapped_column(String(80))
    config_version: Mapped[str | None] = mapped_column(String(80))
    format_version: Mapped[int] = mapped_column(SmallInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        # Partial indexes: most events name no student or request, and a smaller index is a cheaper append.
        Index("ix_audit_entries_student_id_seq", "student_id", "seq",
              sqlite_where=student_id.isnot(None), postgresql_where=student_id.isnot(None)),
        Index("ix_audit_entries_request_id_seq", "request_id", "seq",
              sqlite_where=request_id.isnot(None), postgresql_where=request_id.isnot(None)),
        Index("ix_audit_entries_actor_id_seq", "actor_id", "seq"),
        Index("ix_audit_entries_type_seq", "type", "seq"),
        Index("ix_audit_entries_occurred_at", "occurred_at"),
    )


class AuditChainHead(Base):
    """Exactly one row (id = 1): the last seq and hash. Appenders lock it, so seq has no gaps and no forks."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SeqType)
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class AuditCheckpoint(Base):
    """A signed chain head. signed_at is kept as the exact ISO text that was signed, so re-checking the signature
    never depends on how a database round-trips a timestamp."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(SeqType, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(String(200))
