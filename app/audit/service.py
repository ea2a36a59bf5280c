"""Appending to the audit log: the only write path into audit_entries.

The trap: append must be the LAST write of the caller's transaction and must never commit. The caller commits once,
so the release and its audit entry land together or not at all (R-AUD-1). If append fails, it rolls the caller's
session back before re-raising, so a caller that swallowed the error could not commit the request's other writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.audit import repository as repo
from app.audit.chain import canonical_json, entry_body, format_at
from app.audit.guard import AuditGuardError, check_event

__all__ = ["AppendedEntry", "AuditGuardError", "Event", "append", "append_all", "append_in_new_transaction"]


@dataclass(frozen=True)
class AppendedEntry:
    seq: int
    hash: str
    at: datetime


@dataclass(frozen=True)
class Event:
    """One audit event before it is numbered and chained."""

    type: str
    actor_id: str | None
    student_id: str | None = None
    request_id: str | None = None
    data: Mapping[str, Any] | None = None
    policy_version: str | None = None
    config_version: str | None = None


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
    """Append one event (see append_all)."""
    return append_all(session, [Event(type, actor_id, student_id, request_id, data, policy_version,
                                      config_version)])[-1]


def append_all(session: Session, events: Sequence[Event]) -> list[AppendedEntry]:
    """Append events in order under one chain-head lock and flush. Never commits. Raises AuditGuardError (before
    any SQL) for data that could carry a record value; on any failure the caller's transaction is rolled back.

    Every appender queues on the head lock until its transaction ends, so a request appends all its events at once,
    as its last writes: the lock is then held for two statements and the commit, not for the rest of its work."""
    if not events:
        return []
    try:
        for event in events:
            check_event(event.type, {
                "actor_id": event.actor_id, "student_id": event.student_id, "request_id": event.request_id,
                "policy_version": event.policy_version, "config_version": event.config_version}, event.data or {})
        # Everything the caller queued is flushed before the head is locked, so a failing caller write surfaces
        # here, not after the entries were numbered.
        session.flush()
        last_seq, prev_hash = repo.advance_head(session, len(events))
        # Read the clock under the lock: seq order and time order then agree.
        at = clock.now().astimezone(UTC)
        at_text = format_at(at)
        rows: list[dict[str, Any]] = []
        appended: list[AppendedEntry] = []
        for seq, event in enumerate(events, start=last_seq - len(events) + 1):
            body = entry_body(seq=seq, at=at_text, type=event.type, actor_id=event.actor_id,
                              student_id=event.student_id, request_id=event.request_id, data=event.data or {},
                              policy_version=event.policy_version, config_version=event.config_version)
            # The stored body is byte for byte what is hashed; the database derives the filter columns from it.
            body_text = canonical_json(body)
            digest = hashlib.sha256(prev_hash.encode("ascii") + body_text).hexdigest()
            rows.append({"seq": seq, "body": body_text.decode(), "prev_hash": prev_hash, "hash": digest})
            appended.append(AppendedEntry(seq=seq, hash=digest, at=at))
            prev_hash = digest
        repo.insert_entries(session, rows)
    except BaseException:
        session.rollback()
        raise
    return appended


def append_in_new_transaction(session_factory: Callable[[], Session], type: str, **kwargs: Any) -> AppendedEntry:
    """For events that must outlive a rolled-back request (auth.failed, access.forbidden, request.failed)."""
    with session_factory() as session:
        entry = append(session, type, **kwargs)
        session.commit()
        return entry
