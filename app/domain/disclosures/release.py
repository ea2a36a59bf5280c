"""Releasing data: read only the RELEASE fields, redact, audit data.released with an HMAC digest (R-AUD-1, R-AUD-4).

Values never reach the audit log: they are registered as sensitive for the rest of the request so the audit guard
refuses any event that would carry one, and the event holds field names and a keyed digest only.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.chain import payload_digest
from app.audit.guard import note_sensitive_values
from app.audit.service import AppendedEntry, Event, append_all
from app.db.artifacts import DisclosureRequest
from app.domain.disclosures.views import released_names
from app.records.base import RecordStore, Released, redact


def read_released(store: RecordStore, row: DisclosureRequest) -> Released:
    """The released payload of a settled request, rebuilt from the store; exactly the RELEASE fields."""
    if row.decision == "PENDING_APPROVAL" or row.student_id is None:
        return Released({})
    names = released_names(row)
    values = store.read(row.student_id, names)
    note_sensitive_values(values.values())
    return redact(values, names)


def release_event(row: DisclosureRequest, released: Released, digest_key: bytes, actor_id: str,
                  event: str = "data.released") -> Event:
    return Event(event, actor_id, row.student_id, row.id, {
        "fields": sorted(released), "recipient_id": row.recipient_id, "notice_version": row.notice_version,
        "use_restrictions": list(row.use_restrictions), "digest": payload_digest(digest_key, released),
        "released_by": row.released_by,
    }, row.policy_version, row.config_version)


def audit_release(session: Session, row: DisclosureRequest, released: Released, digest_key: bytes, actor_id: str,
                  event: str = "data.released") -> AppendedEntry:
    return append_all(session, [release_event(row, released, digest_key, actor_id, event)])[0]
