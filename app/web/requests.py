"""Requests in the browser: the principal's queue, a request's page (approve all, approve fewer, deny), the
requester's own requests and the request form. Every page calls the services the API routes call
(reads.queue, reads.get_request, approvals.approve / deny, service.submit), so refusals and audit entries match."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from app import clock
from app.api.deps import SessionDep, VocabularyDep
from app.domain.access import scope_of
from app.domain.common import Id
from app.domain.disclosures import approvals, own, reads, service
from app.domain.disclosures.gate import Gate
from app.domain.disclosures.schemas import ApproveIn, DisclosureRequestIn
from app.domain.disclosures.views import request_view
from app.domain.users import service as users
from app.errors import GatekeeperError
from app.web.caller import CsrfChecked, PageCaller, attempt
from app.web.home import mark_page
from app.web.render import render
from app.web.words import N_

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
DONE = {"approved": N_("The approval was recorded."), "denied": N_("The request was denied.")}
LINKS = ("incident_id", "emergency_id", "legal_order_id", "consent_ids", "report_id", "case_id", "reuse_of")


def _gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


def waited(created_at: str) -> str:
    """How long a request has waited, in hours and minutes on the legal clock."""
    minutes = max(0, int((clock.now() - datetime.fromisoformat(created_at)).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    return f"{days} d {rest // 60} h" if days else f"{rest // 60} h {rest % 60} min"


@router.get("/queue")
def queue_page(request: Request, caller: PageCaller, session: SessionDep) -> Response:
    found = reads.queue(session, caller, "PENDING_APPROVAL", None, None, 200)
    items = sorted(found["requests"], key=lambda r: (r["created_at"], r["id"]))
    return render(request, "queue.html", items=[{**r, "waited": waited(r["created_at"])} for r in items])


def _names(session: Any, caller: Any, ids: list[str]) -> dict[str, str]:
    """Names of the parties, as the accounts service reads them inside the caller's district."""
    out: dict[str, str] = {}
    for user_id in dict.fromkeys(ids):
        try:
            user = users.get_in(session, scope_of(caller), user_id)
        except GatekeeperError:
            continue
        out[user_id] = user.name + (f", {user.title}" if user.title else "") + (
            f" ({user.affiliation})" if user.affiliation else "")
    return out


def _request_page(request: Request, caller: Any, session: Any, view: dict[str, Any], *, message: str | None = None,
                  error: str | None = None, status_code: int = 200) -> Response:
    row = approvals.load_request(session, caller, view["id"])
    links = {k: row.body.get(k) for k in LINKS if row.body.get(k)}
    pending = [f for f in view["fields"] if f["outcome"] == "PENDING"]
    may_decide = bool(pending) and caller.role in approvals.APPROVER_ROLES and caller.id not in (
        view["requester"], view["recipient"])
    return render(request, "request.html", status_code=status_code, r=view, links=links,
                  pending=pending, may_decide=may_decide,
                  names=_names(session, caller, [str(view[k]) for k in ("requester", "recipient", "released_by")
                                                 if view.get(k)]),
                  message=message, error=error)


@router.get("/requests/{request_id}")
def request_page(request: Request, request_id: Id, caller: PageCaller, session: SessionDep,
                 done: str | None = None) -> Response:
    view = reads.get_request(session, _gate(request), caller, request_id)
    return _request_page(request, caller, session, view, message=DONE.get(done or ""))


def _refused(request: Request, caller: Any, session: Any, request_id: str, error: str,
             status_code: int = 409) -> Response:
    """The request page again, without values, with the refusal as its message."""
    view = request_view(approvals.load_request(session, caller, request_id), released=None, notice_text=None)
    return _request_page(request, caller, session, view, error=error, status_code=status_code)


@router.post("/requests/{request_id}/approve", dependencies=[CsrfChecked])
def approve_page(request: Request, request_id: Id, caller: PageCaller, session: SessionDep,
                 fields: Annotated[list[str] | None, Form(max_length=200)] = None,
                 note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Approve the ticked pending fields; pending fields left unticked are withheld (W_NOT_APPROVED), as in the
    API when `fields` names fewer."""
    try:
        body = ApproveIn(fields=list(fields or []), note=note or None)
    except ValidationError:
        return _refused(request, caller, session, request_id, "The approval form was not valid. Nothing changed.")
    _, refusal = attempt(request, session,
                         lambda: approvals.approve(session, _gate(request), caller, request_id, body))
    if refusal is not None:
        return _refused(request, caller, session, request_id, refusal.detail, refusal.status)
    return RedirectResponse(f"/requests/{request_id}?done=approved", status_code=303)


@router.post("/requests/{request_id}/deny", dependencies=[CsrfChecked])
def deny_page(request: Request, request_id: Id, caller: PageCaller, session: SessionDep,
              reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    _, refusal = attempt(request, session,
                         lambda: approvals.deny(session, _gate(request), caller, request_id, bool(reason.strip())))
    if refusal is not None:
        return _refused(request, caller, session, request_id, refusal.detail, refusal.status)
    return RedirectResponse(f"/requests/{request_id}?done=denied", status_code=303)


@router.get("/my/requests")
def own_page(request: Request, caller: PageCaller, session: SessionDep) -> Response:
    return render(request, "own.html", items=own.own_requests(session, caller))


FORM_FIELDS = ("name", "photo", "grade_level", "class_schedule", "attendance_detail", "home_address", "phone",
               "date_of_birth", "grades", "religion", "immigration_status", "counseling_notes")


@router.get("/requests/new/form")
def form_page(request: Request, caller: PageCaller) -> Response:
    return render(request, "new.html", purposes=_purposes(request), form_fields=FORM_FIELDS, sent={})


def _purposes(request: Request) -> list[str]:
    return list(request.app.state.policy.purposes())


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]


@router.post("/requests/new/form", dependencies=[CsrfChecked])
def submit_page(request: Request, caller: PageCaller, session: SessionDep, vocab: VocabularyDep,
                student_id: Annotated[str, Form(max_length=200)] = "",
                purpose: Annotated[str, Form(max_length=100)] = "",
                fields: Annotated[list[str] | None, Form(max_length=200)] = None,
                other_fields: Annotated[str, Form(max_length=5000)] = "",
                justification: Annotated[str, Form(max_length=5000)] = "",
                incident_id: Annotated[str, Form(max_length=200)] = "",
                emergency_id: Annotated[str, Form(max_length=200)] = "",
                legal_order_id: Annotated[str, Form(max_length=200)] = "",
                consent_id: Annotated[str, Form(max_length=200)] = "",
                case_id: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Submit as POST /disclosure-requests does and show the answer field by field: values only when the answer
    carries them (the caller is the recipient), audited there as data.released."""
    sent = {"student_id": student_id, "purpose": purpose, "fields": list(fields or []),
            "other_fields": other_fields, "incident_id": incident_id, "emergency_id": emergency_id,
            "legal_order_id": legal_order_id, "consent_id": consent_id, "case_id": case_id}
    raw: dict[str, Any] = {"student_id": student_id.strip() or None, "purpose": purpose,
                           "fields": list(dict.fromkeys([*(fields or []), *_split(other_fields)])),
                           "justification": justification.strip() or None}
    for key, value in (("incident_id", incident_id), ("emergency_id", emergency_id),
                       ("legal_order_id", legal_order_id), ("consent_id", consent_id), ("case_id", case_id)):
        if value.strip():
            raw[key] = value.strip()
    try:
        body = DisclosureRequestIn.model_validate(raw)
    except ValidationError as exc:
        where = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
        return render(request, "new.html", status_code=422, purposes=_purposes(request), form_fields=FORM_FIELDS,
                      sent=sent, error="Please check: " + ", ".join(where) + ". Nothing was asked.")
    view, refusal = attempt(request, session, lambda: service.submit(session, _gate(request), caller, body, vocab))
    if view is None:
        return render(request, "new.html", status_code=refusal.status if refusal else 500,
                      purposes=_purposes(request), form_fields=FORM_FIELDS, sent=sent,
                      error=refusal.detail if refusal else None)
    session.commit()
    return render(request, "decided.html", r=view)
