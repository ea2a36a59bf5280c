"""A requester's own requests (the SRO's page, issue 16): the requests the caller asked for, entered, or receives,
newest first, as decisions without values (like queue items). Reading one with its values stays GET
/disclosure-requests/{id} (reads.get_request), audited there as data.read.

The one query lives here rather than in repository.py: it reads only the caller's own rows inside its district.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.db.artifacts import DisclosureRequest
from app.domain.access import DistrictScope, scope_of
from app.domain.disclosures.views import request_view

MAX_OWN = 200


def _of_party(session: Session, scope: DistrictScope, user_id: str, limit: int) -> list[DisclosureRequest]:
    query = select(DisclosureRequest).where(or_(
        DisclosureRequest.requester_id == user_id, DisclosureRequest.caller_id == user_id,
        DisclosureRequest.recipient_id == user_id))
    if not scope.everywhere:
        query = query.where(DisclosureRequest.district_id == scope.district_id)
    return list(session.scalars(query.order_by(DisclosureRequest.created_at.desc(), DisclosureRequest.id.desc())
                                .limit(limit)))


def own_requests(session: Session, caller: Principal, limit: int = MAX_OWN) -> list[dict[str, Any]]:
    rows = _of_party(session, scope_of(caller), caller.id, max(1, min(limit, MAX_OWN)))
    return [request_view(r, released=None, notice_text=None) for r in rows]
