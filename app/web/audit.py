"""The auditor's pages: search the log with paging, an entry's detail, verify the chain, checkpoints, export.

Each page calls the audit API's own route functions (app/api/routers/audit.py) with the signed-in caller, after the
same role check, so every read is audited as `audit.queried` exactly as the API's, and the district wall is the
API's. Filters the API has no parameter for (decision, rule id) narrow the returned page and are named in the
search form as such."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response

from app.api.deps import SessionDep, require_roles
from app.api.routers import audit as api
from app.auth.principal import Principal
from app.errors import BadRequest
from app.web.caller import CsrfChecked, PageCaller, attempt
from app.web.home import mark_page
from app.web.render import render
from app.web.words import N_

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
PAGE = 50
SearchText = Annotated[str, Query(max_length=200)]


def _reader(request: Request, caller: Principal) -> Principal:
    checked: Principal = require_roles("auditor", "admin")(request, caller)
    api.flush_auth_failures(request)
    return checked


def _when(text: str, what: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadRequest(f"{what} must be a date and time such as 2025-03-10T10:00:00-05:00.") from exc
    if value.tzinfo is None:
        raise BadRequest(f"{what} needs a UTC offset, such as 2025-03-10T10:00:00-05:00.")
    return value


def _matches(event: dict[str, Any], decision: str, rule: str) -> bool:
    data = event.get("data") or {}
    if decision and data.get("decision") != decision:
        return False
    if rule:
        rules = {r for f in data.get("fields") or [] if isinstance(f, dict) for r in f.get("rules") or []}
        return rule in rules or rule in (data.get("rules") or [])
    return True


@router.get("/audit")
def search_page(request: Request, caller: PageCaller, session: SessionDep, student_id: SearchText = "",
                actor_id: SearchText = "", type: SearchText = "", request_id: SearchText = "",  # noqa: A002
                since: SearchText = "", until: SearchText = "", decision: SearchText = "", rule: SearchText = "",
                cursor: SearchText = "", searched: SearchText = "") -> Response:
    reader = _reader(request, caller)
    sent = {"student_id": student_id, "actor_id": actor_id, "type": type, "request_id": request_id,
            "since": since, "until": until, "decision": decision, "rule": rule}
    if not searched:
        return render(request, "audit_search.html", sent=sent, events=None)

    def search() -> dict[str, Any]:
        return api.get_events(session, reader, student_id=student_id or None, actor_id=actor_id or None,
                              type=type or None, request_id=request_id or None, since=_when(since, "From"),
                              until=_when(until, "Until"), limit=PAGE, cursor=cursor or None)

    found, refusal = attempt(request, session, search)
    if found is None:
        return render(request, "audit_search.html", status_code=refusal.status if refusal else 500, sent=sent,
                      events=None, error=refusal.detail if refusal else None)
    events = [e for e in found["events"] if _matches(e, decision, rule)]
    more = {**{k: v for k, v in sent.items() if v}, "searched": "1", "cursor": found["next_cursor"]}
    return render(request, "audit_search.html", sent=sent, events=events, next_query=more
                  if found["next_cursor"] else None)


@router.get("/audit/entries/{seq}")
def entry_page(request: Request, seq: int, caller: PageCaller, session: SessionDep) -> Response:
    reader = _reader(request, caller)
    found = api.get_events(session, reader, cursor=str(max(seq - 1, 0)) if seq > 1 else None, limit=1)
    event = next((e for e in found["events"] if e["seq"] == seq), None)
    if event is None:
        return render(request, "error.html", status_code=404, status=404, detail="No such entry.")
    return render(request, "audit_entry.html", e=event, data=json.dumps(event.get("data"), indent=2,
                                                                       sort_keys=True, ensure_ascii=False))


@router.get("/audit/verify")
def verify_page(request: Request, caller: PageCaller, session: SessionDep, run: SearchText = "") -> Response:
    reader = _reader(request, caller)
    result = api.get_verify(request, session, reader, from_checkpoint=False) if run else None
    return render(request, "audit_verify.html", result=result)


@router.get("/audit/checkpoints")
def checkpoints_page(request: Request, caller: PageCaller, session: SessionDep, made: SearchText = "") -> Response:
    reader = _reader(request, caller)
    found = api.get_checkpoints(request, session, reader, limit=100)
    return render(request, "audit_checkpoints.html", checkpoints=found["checkpoints"],
                  signing_key=found["signing_key"], may_make=reader.role == "admin",
                  message=N_("A signed checkpoint was made.") if made else None)


@router.post("/audit/checkpoints", dependencies=[CsrfChecked])
def make_checkpoint(request: Request, caller: PageCaller, session: SessionDep) -> Response:
    """Signing a checkpoint is the admin's (POST /audit/checkpoints); an auditor is refused as by the API."""
    admin = require_roles("admin")(request, caller)
    made = api.post_checkpoint(request, session, admin)
    return RedirectResponse(f"/audit/checkpoints?made={made['seq']}", status_code=303)


@router.get("/audit/checkpoints/{seq}.json")
def checkpoint_download(request: Request, seq: int, caller: PageCaller, session: SessionDep) -> Response:
    reader = _reader(request, caller)
    found = api.get_checkpoints(request, session, reader, limit=1000)
    checkpoint = next((c for c in found["checkpoints"] if c.get("seq") == seq), None)
    if checkpoint is None:
        return render(request, "error.html", status_code=404, status=404, detail="No such checkpoint.")
    body = json.dumps({"checkpoint": checkpoint, "signing_key": found["signing_key"]}, indent=2, default=str)
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="checkpoint-{seq}.json"', "Cache-Control": "no-store"})


@router.get("/audit/export")
def export_page(request: Request, caller: PageCaller, session: SessionDep,
                format: Annotated[str, Query(pattern="^(csv|jsonl)$")] = "csv") -> Response:  # noqa: A002
    reader = _reader(request, caller)
    return api.get_export(request, session, reader, format="csv" if format == "csv" else "jsonl")
