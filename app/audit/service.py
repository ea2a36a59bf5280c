"""Appending to the audit log: the only write path into audit_entries.

The trap: append must be the LAST write of the caller's transaction and must never commit. The caller commits once,
so the release and its audit entry land together or not at all (R-AUD-1). If append fails, it rolls the caller's
session back before re-raising, so a caller that swallowed the error could not commit the request's other writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.audit import repository as repo
from app.audit.chain import canonical_json, entry_body, format_at
from app.audit.guard import AuditGuardError, check_event

__all__ = ["AppendedEntry", "AuditGuardError", "append", "append_in_new_transaction"]


@dataclass(frozen=True)
class AppendedEntry:
    seq: int
    hash: str
    at: datetime


def append(
    session: Session,
    type: str,
    *,
    actor_id: str | None,
    student_id: str | None = None,
    request_id: str | None = None,
    data: Mapping[str, Any] | None = None,
    policy_version: str | None = None,
    config_version: str | None = None,
) -> AppendedEntry:
    """Append one event under the chain-head lock and flush. Never commits. Raises AuditGuardError (before any SQL)
    for data that could carry a record value; on any failure the caller's transaction is rolled back."""
    payload: Mapping[str, Any] = data if data is not None else {}
    try:
        check_event(type, {"actor_id": actor_id, "student_id": student_id, "request_id": request_id,
                           "policy_version": policy_version, "config_version": config_version}, payload)
        # Everything the caller queued is flushed before the head is locked, so the lock is held only for the
        # append itself and a failing caller write surfaces here, not after the entry was numbered.
        session.flush()
        seq, prev_hash = repo.advance_head(session)
        # Read the clock under the lock: seq order and time order then agree.
        at = clock.now().astimezone(UTC)
        at_text = format_at(at)
        body = entry_body(seq=seq, at=at_text, type=type, actor_id=actor_id, student_id=student_id,
                          request_id=request_id, data=payload, policy_version=policy_version,
                          config_version=config_version)
        # The stored body is byte for byte what is hashed; the database derives the filter columns from it.
        body_text = canonical_json(body)
        digest = hashlib.sha256(prev_hash.encode("ascii") + body_text).hexdigest()
        repo.insert_entry(session, seq=seq, body=body_text.decode(), prev_hash=prev_hash, entry_hash=digest)
    except BaseException:
        session.rollback()
        raise
    return AppendedEntry(seq=seq, hash=digest, at=at)


def append_in_new_transaction(session_factory: Callable[[], Session], type: str, **kwargs: Any) -> AppendedEntry:
    """For events that must outlive a rolled-back request (auth.failed, access.forbidden, request.failed)."""
    with session_factory() as session:
        entry = append(session, type, **kwargs)
        session.commit()
        return entry
