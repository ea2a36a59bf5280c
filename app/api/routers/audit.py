"""Audit log routes (API.md section 9): auditor and admin read; only admin signs checkpoints.

Every read is itself audited as `audit.queried` in the request's transaction (R-AUD-5), so the record of who looked
at the log commits together with the answer. Events, export and checkpoints are walled by district (a caller with a
district reads its district's entries only; queries.py); verify walks the one chain every district shares and names
no entry, so it answers every reader alike. The filters go into the event's data, not its student_id column: an
auditor reading a student's trail is not an event about that student.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from app.api.deps import SessionDep, require_roles
from app.audit import repository as repo
from app.audit.checkpoints import create_checkpoint, latest_valid_checkpoint, list_checkpoints, public_key_info
from app.audit.guard import TYPE_RE
from app.audit.keys import key_id, load_signing_key, retired_public_keys
from app.audit.queries import MAX_LIMIT, export, query_events
from app.audit.service import append
from app.audit.verify import verify_chain
from app.auth.failures import flush_before_reading
from app.auth.principal import Principal
from app.domain.access import scope_of
from app.errors import BadRequest


def flush_auth_failures(request: Request) -> None:
    """Counted failed authentications are written before the log is read (app/auth/failures.py), so a reader
    never misses one that is only waiting for its window to end. Runs before the request's own session begins."""
    flush_before_reading(request)


router = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[Depends(flush_auth_failures)])

Reader = Annotated[Principal, Depends(require_roles("auditor", "admin"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
QUERIED = "audit.queried"


@lru_cache(maxsize=4)
def _signing_key(path: Path, modified_ns: int) -> Ed25519PrivateKey:
    return load_signing_key(path)  # keyed on the file's mtime too: `keys rotate` takes effect at once


def signing_key(request: Request) -> Ed25519PrivateKey:
    path = Path(request.app.state.settings.signing_key_file).resolve()
    return _signing_key(path, path.stat().st_mtime_ns)


def retired_keys(request: Request) -> dict[str, Ed25519PublicKey]:
    return retired_public_keys(request.app.state.settings.signing_key_file)


def _present(**filters: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in filters.items() if v is not None}


@router.get("/events")
def get_events(
    session: SessionDep,
    caller: Reader,
    student_id: Annotated[str | None, Query(max_length=200)] = None,
    actor_id: Annotated[str | None, Query(max_length=200)] = None,
    type: Annotated[str | None, Query(max_length=60)] = None,
    request_id: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    if type is not None and not TYPE_RE.match(type):
        raise BadRequest("type must be an event type such as request.decided.")
    events, next_cursor = query_events(session, scope=scope_of(caller), student_id=student_id, actor_id=actor_id,
                                       type=type, request_id=request_id, since=since, until=until, limit=limit,
                                       cursor=cursor)
    filters = _present(student_id=student_id, actor_id=actor_id, type=type, request_id=request_id, since=since,
                       until=until, limit=limit, cursor=cursor)
    append(session, QUERIED, actor_id=caller.id,
           data={"route": "events", "filters": filters, "returned": len(events)})
    return {"events": events, "next_cursor": next_cursor}


@router.get("/verify")
def get_verify(
    request: Request, session: SessionDep, caller: Reader, from_checkpoint: bool = False
) -> dict[str, Any]:
    """Walks the chain and compares it with the newest checkpoint we signed (which catches rewritten history whose
    hashes were recomputed). from_checkpoint=true checks only the entries after that checkpoint."""
    current = signing_key(request).public_key()
    found = latest_valid_checkpoint(session, {**retired_keys(request), key_id(current): current})
    anchor, anchor_key = found if found is not None else (None, None)
    result = verify_chain(session, checkpoint=anchor, public_key=anchor_key,
                          from_checkpoint=from_checkpoint and anchor is not None)
    body = result.as_dict()
    body["checkpoint_seq"] = anchor["seq"] if anchor else None
    append(session, QUERIED, actor_id=caller.id,
           data={"route": "verify", "ok": result.ok, "checked": result.checked, "problem": result.problem,
                 "first_bad_seq": result.first_bad_seq, "from_checkpoint": from_checkpoint})
    return body


@router.post("/checkpoints", status_code=201)
def post_checkpoint(request: Request, session: SessionDep, caller: Admin) -> dict[str, Any]:
    return create_checkpoint(session, signing_key(request), actor_id=caller.id, district_id=caller.district_id,
                             retired_keys=retired_keys(request))


@router.get("/checkpoints")
def get_checkpoints(
    request: Request, session: SessionDep, caller: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    checkpoints = list_checkpoints(session, scope_of(caller), limit)
    append(session, QUERIED, actor_id=caller.id, data={"route": "checkpoints", "returned": len(checkpoints)})
    return {"checkpoints": checkpoints, "signing_key": public_key_info(signing_key(request).public_key()),
            "retired_signing_keys": [public_key_info(k) for k in retired_keys(request).values()]}


@router.get("/export")
def get_export(
    request: Request,
    session: SessionDep,
    caller: Reader,
    format: Literal["jsonl", "csv"] = "jsonl",
    since: datetime | None = None,
    until: datetime | None = None,
) -> StreamingResponse:
    """The export is pinned to the head as of this request and audited before the first byte is sent."""
    head_seq, _ = repo.read_head(session)
    # Checked now, while a 4xx can still be sent; rows are read only once streaming starts, after this request's
    # transaction (and its audit.queried entry) committed, so the export never waits on our own lock.
    lines = export(request.app.state.session_factory, scope=scope_of(caller), format=format, since=since,
                   until=until, up_to_seq=head_seq)
    append(session, QUERIED, actor_id=caller.id,
           data={"route": "export", "format": format, "up_to_seq": head_seq, **_present(since=since, until=until)})
    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    return StreamingResponse(lines, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="audit-{head_seq}.{format}"'})
