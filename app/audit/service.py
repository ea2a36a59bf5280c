"""Appending to the audit log: the only write path into audit_entries.

The trap: append must be the LAST write of the caller's transaction and must never commit. The caller commits once,
so the release and its audit entry land together or not at all (R-AUD-1). If append fails, it rolls the caller's
session back before re-raising, so a caller that swallowed the error could not commit the request's other writes.

The district wall: every entry is stamped at append time with the district it belongs to, inside the hashed body
(chain.py, format v2), and the database derives the `district_id` filter column from it, so a district's auditor
reads only its district's entries (queries.py) and no one can move an entry across the wall afterwards without
breaking the chain. The district is, in this order: the one the caller names (`district_id=`, for configuration of a
district, school or user); the district of the entry's request; the district of its actor, when the actor is a user
with a district (so a district user's refused probe of another district's student stays that user's district's
business); the district of its student; else, when exactly one district is configured, that district (a one-district
deployment is all that district's: its auditor reads the failed logins and policy loads as before). Entries of
none of these (policy.loaded before any district exists; with several districts, a platform admin's own reads or a
token naming no user, whose path could name any district's ids) belong to no district: only callers without a
district see them. The lookups read the session's identity map first; on the gate's path the request and the caller
are there, so stamping costs no query.
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
from app.domain.districts import repository as districts

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
    district_id: str | None = None


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
    district_id: str | None = None,
) -> AppendedEntry:
    """Append one event (see append_all)."""
    return append_all(session, [Event(type, actor_id, student_id, request_id, data, policy_version,
                                      config_version, district_id)])[-1]


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
        districts = _districts(session, events)  # before the head lock: lookups never run under it
        last_seq, prev_hash = repo.advance_head(session, len(events))
        # Read the clock under the lock: seq order and time order then agree.
        at = clock.now().astimezone(UTC)
        at_text = format_at(at)
        rows: list[dict[str, Any]] = []
        appended: list[AppendedEntry] = []
        for seq, event, district_id in zip(range(last_seq - len(events) + 1, last_seq + 1), events, districts,
                                           strict=True):
            body = entry_body(seq=seq, at=at_text, type=event.type, actor_id=event.actor_id,
                              student_id=event.student_id, request_id=event.request_id, data=event.data or {},
                              policy_version=event.policy_version, config_version=event.config_version,
                              district_id=district_id)
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


def _districts(session: Session, events: Sequence[Event]) -> list[str | None]:
    """The district each event belongs to (the module docstring gives the order)."""
    found: dict[tuple[str, str], str | None] = {}

    def lookup(kind: str, key: str | None) -> str | None:
        if key is None:
            return None
        if (kind, key) not in found:
            found[kind, key] = repo.district_of(session, kind, key)
        return found[kind, key]

    stamped = [event.district_id or lookup("request", event.request_id) or lookup("user", event.actor_id)
               or lookup("student", event.student_id) for event in events]
    if None in stamped:
        only = districts.only_district_id(session)
        stamped = [district_id or only for district_id in stamped]
    return stamped


def append_in_new_transaction(session_factory: Callable[[], Session], type: str, **kwargs: Any) -> AppendedEntry:
    """For events that must outlive a rolled-back request (auth.failed, access.forbidden, request.failed)."""
    with session_factory() as session:
        entry = append(session, type, **kwargs)
        session.commit()
        return entry
