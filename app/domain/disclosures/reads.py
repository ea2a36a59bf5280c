"""Reading requests (API.md section 7): the requester and recipient see values (each read audited as data.read);
approvers of the school, auditors and admins see decisions only; anyone else is refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import append
from app.auth.principal import Principal
from app.db.artifacts import DisclosureRequest
from app.domain import access
from app.domain.disclosures import repository as repo
from app.domain.disclosures import state
from app.domain.disclosures.approvals import APPROVER_ROLES, load_request, refresh
from app.domain.disclosures.gate import Gate
from app.domain.disclosures.release import audit_release, read_released
from app.domain.disclosures.views import request_view
from app.errors import Forbidden

OVERSEERS = frozenset({"auditor", "admin"})


def _may_oversee(caller: Principal, row: DisclosureRequest) -> bool:
    if caller.role in OVERSEERS:
        return True
    if caller.role in access.DISTRICT_APPROVERS:
        return _names_role(caller, row) or any(a.get("by") == caller.id for a in row.approvals)
    return caller.role in APPROVER_ROLES and access.serves_school(caller, row.school_id)


def _names_role(caller: Principal, row: DisclosureRequest) -> bool:
    return any(caller.role in g for f in row.fields if f["outcome"] == "PENDING" for g in state.groups(f))


def get_request(session: Session, gate: Gate, caller: Principal, request_id: str) -> dict[str, Any]:
    row = load_request(session, caller, request_id)
    party = caller.id in (row.requester_id, row.recipient_id, row.caller_id)
    if not party and not _may_oversee(caller, row):
        raise Forbidden("Only the requester, the recipient, the school's approvers, auditors and admins may read "
                        "this request.", audit_data={"request_id": row.id})
    notice = gate.policy.notice_text(row.notice_version or "")
    if not party:
        return request_view(row, released=None, notice_text=notice)
    entry = refresh(session, gate, row)
    if not access.receives_values(caller, caller_id=row.caller_id, recipient_id=row.recipient_id):
        return request_view(row, released=None, notice_text=notice, last_entry=entry)
    if row.decision == "PENDING_APPROVAL":
        return request_view(row, released=None, notice_text=notice, last_entry=entry) | {"released": {}}
    released = read_released(gate.records(session), row)
    if released:
        entry = audit_release(session, row, released, gate.digest_key, caller.id, event="data.read")
    return request_view(row, released=released, notice_text=notice, last_entry=entry)


def queue(session: Session, caller: Principal, status: str | None, school_id: str | None,
          cursor: str | None, limit: int) -> dict[str, Any]:
    """The approval queue of the caller's schools: requests with a pending field the caller's role may approve."""
    if caller.role not in APPROVER_ROLES | OVERSEERS:
        raise Forbidden("Your role has no approval queue.")
    if school_id is not None and not access.may_approve_for(caller, school_id):
        raise Forbidden("You are not an approver for this school.", audit_data={"school_id": school_id})
    district = caller.district_id
    rows = repo.pending_in_district(session, district, school_id, status, cursor, limit + 1)
    visible = [r for r in rows if _in_queue(caller, r)]
    page = visible[:limit]
    next_cursor = rows[limit].id if len(rows) > limit else None
    append(session, "queue.viewed", actor_id=caller.id, data={"school_id": school_id, "status": status,
                                                              "count": len(page)})
    return {"requests": [request_view(r, released=None, notice_text=None) for r in page], "next_cursor": next_cursor}


def _in_queue(caller: Principal, row: DisclosureRequest) -> bool:
    if caller.role in OVERSEERS:
        return True
    if not access.may_approve_for(caller, row.school_id):
        return False
    if row.decision != "PENDING_APPROVAL":
        return caller.role not in access.DISTRICT_APPROVERS
    return _names_role(caller, row)
