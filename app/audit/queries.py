"""Reading the audit log: filtered, cursor-paginated queries and streamed exports. Separate from the write path.

Every filter rides an index that ends in seq ((student_id, seq), (actor_id, seq), (request_id, seq), (type, seq),
(district_id, seq)), so a filtered page is an index range scan in seq order and stays fast at millions of rows.

The district wall: both readers take the caller's scope. A caller with a district reads only the entries stamped with
that district (service.py says how an entry gets its district); entries of no district and of other districts are
not there for it, with no sign that they exist. A caller without a district reads everything.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.audit import repository as repo
from app.audit.models import AuditEntry
from app.domain.access import DistrictScope
from app.errors import BadRequest

MAX_LIMIT = 1000
EXPORT_BATCH = 5000
EXPORT_COLUMNS = ("seq", "at", "type", "actor_id", "student_id", "request_id", "policy_version",
                  "config_version", "prev_hash", "hash", "data")


def _cursor_seq(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not cursor.isdigit() or len(cursor) > 19:
        raise BadRequest("The cursor is not one this service issued.")
    return int(cursor)


def _event(row: Row[int, str, str, str]) -> dict[str, Any]:
    """The event exactly as hashed (v, seq, at, type, ids, data, versions) plus its links."""
    event: dict[str, Any] = json.loads(row.body)
    event["prev_hash"], event["hash"] = row.prev_hash, row.hash
    return event


def _filters(scope: DistrictScope, student_id: str | None, actor_id: str | None, type: str | None,
             request_id: str | None, since: datetime | None, until: datetime | None) -> list[Any]:
    filters: list[Any] = [] if scope.everywhere else [AuditEntry.district_id == scope.district_id]
    if student_id is not None:
        filters.append(AuditEntry.student_id == student_id)
    if actor_id is not None:
        filters.append(AuditEntry.actor_id == actor_id)
    if type is not None:
        filters.append(AuditEntry.type == type)
    if request_id is not None:
        filters.append(AuditEntry.request_id == request_id)
    # Stored in UTC (naive on SQLite), so compare against UTC.
    if since is not None:
        filters.append(AuditEntry.occurred_at >= _utc(since))
    if until is not None:
        filters.append(AuditEntry.occurred_at < _utc(until))
    return filters


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise BadRequest("since and until need a UTC offset.")
    return value.astimezone(UTC)


def query_events(
    session: Session,
    *,
    scope: DistrictScope,
    student_id: str | None = None,
    actor_id: str | None = None,
    type: str | None = None,
    request_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Events in seq order. `until` is exclusive. next_cursor is None on the last page."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}.")
    filters = _filters(scope, student_id, actor_id, type, request_id, since, until)
    rows = repo.query_rows(session, filters, _cursor_seq(cursor), limit + 1)
    events = [_event(r) for r in rows[:limit]]
    next_cursor = str(events[-1]["seq"]) if len(rows) > limit else None
    return events, next_cursor


def export(
    session_factory: Callable[[], Session],
    *,
    scope: DistrictScope,
    format: str,
    since: datetime | None = None,
    until: datetime | None = None,
    up_to_seq: int | None = None,
    batch_size: int = EXPORT_BATCH,
) -> Iterator[str]:
    """Lines of a jsonl or csv export. Arguments are checked now (BadRequest), rows are read lazily: each batch in
    its own short transaction (keyset on seq), so a slow client never holds a lock. `up_to_seq` pins the export to
    the head at the time it was requested."""
    if format not in ("jsonl", "csv"):
        raise BadRequest("format must be jsonl or csv.")
    filters = _filters(scope, None, None, None, None, since, until)
    if up_to_seq is not None:
        filters.append(AuditEntry.seq <= up_to_seq)
    return _export_lines(session_factory, format, filters, batch_size)


def _export_lines(session_factory: Callable[[], Session], format: str, filters: list[Any],
                  batch_size: int) -> Iterator[str]:
    if format == "csv":
        yield _csv_line(EXPORT_COLUMNS)
    after: int | None = None
    while True:
        with session_factory() as session:
            rows = repo.query_rows(session, filters, after, batch_size)
            session.rollback()
        for row in rows:
            event = _event(row)
            if format == "jsonl":
                yield json.dumps(event, sort_keys=True, separators=(",", ":")) + "\n"
            else:
                event["data"] = json.dumps(event["data"], sort_keys=True, separators=(",", ":"))
                yield _csv_line(tuple("" if event[c] is None else str(event[c]) for c in EXPORT_COLUMNS))
        if len(rows) < batch_size:
            return
        after = int(rows[-1].seq)


def _csv_line(values: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
