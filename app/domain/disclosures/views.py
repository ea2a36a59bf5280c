"""Request bodies as the API returns them (API.md section 7). Values appear only via `released`, built by the
redactor from the RELEASE fields alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.audit.service import AppendedEntry
from app.db.artifacts import DisclosureRequest
from app.domain.disclosures.state import public_field, released_name
from app.records.base import Released


@dataclass(frozen=True)
class NoticeText:
    version: str | None
    text: str | None


def released_names(row: DisclosureRequest) -> list[str]:
    return [released_name(f) for f in row.fields if f["outcome"] == "RELEASE"]


def notice_body(row: DisclosureRequest, text: str | None) -> dict[str, Any] | None:
    if row.notice_version is None or not released_names(row):
        return None
    return {"version": row.notice_version, "text": text or "", "use_restrictions": list(row.use_restrictions)}


def request_view(row: DisclosureRequest, *, released: Released | None, notice_text: str | None,
                 last_entry: AppendedEntry | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": row.id, "created_at": row.created_at.isoformat(), "student_id": row.student_id,
        "requester": row.requester_id, "recipient": row.recipient_id, "purpose": row.purpose,
        "decision": row.decision, "fields": [public_field(f) for f in row.fields],
        "use_restrictions": list(row.use_restrictions), "explanation": row.explanation,
        "policy_version": row.policy_version, "config_version": row.config_version,
    }
    if row.body.get("population"):
        body["population"] = row.body["population"]
    if row.released_by:
        body["released_by"] = row.released_by
    notice = notice_body(row, notice_text)
    if notice is not None:
        body["notice"] = notice
    if released is not None:
        body["released"] = dict(released)
    if last_entry is not None:
        body["audit"] = {"seq": last_entry.seq, "hash": last_entry.hash}
    return body
