"""The gate's routes (API.md sections 7-8). Thin: the disclosures services do the work."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse

from app.api.deps import CurrentUser, SessionDep, VocabularyDep, require_roles
from app.auth.principal import Principal
from app.domain.common import Id
from app.domain.disclosures import approvals, reads, record, service
from app.domain.disclosures import replay as replay_service
from app.domain.disclosures.gate import Gate
from app.domain.disclosures.schemas import ApproveIn, DenyIn, DisclosureRequestIn, ReplayIn
from app.domain.disclosures.views import request_view
from app.policy.types import DecisionKind

router = APIRouter(prefix="/api/v1", tags=["disclosures"])

REQUESTER_ROLES = ("sro", "pd_contact", "law_enforcement", "chief", "court", "dcf", "dese", "ems", "staff",
                   "clinician", "principal", "designee", "superintendent", "counsel", "admin")
Requester = Annotated[Principal, Depends(require_roles(*REQUESTER_ROLES))]
Auditor = Annotated[Principal, Depends(require_roles("auditor", "admin"))]


def get_gate(request: Request) -> Gate:
    gate: Gate = request.app.state.gate
    return gate


GateDep = Annotated[Gate, Depends(get_gate)]


def _json(content: dict[str, Any], status_code: int = 200) -> JSONResponse:
    """The views are plain JSON already (ids, names, ISO dates): skip FastAPI's generic encoder, which costs more
    than the decision on a 20-field request."""
    return JSONResponse(content, status_code=status_code)


@router.post("/disclosure-requests", status_code=status.HTTP_201_CREATED, response_model=None)
def create_request(body: DisclosureRequestIn, caller: Requester, session: SessionDep, gate: GateDep,
                   vocab: VocabularyDep) -> JSONResponse:
    view = service.submit(session, gate, caller, body, vocab)
    # Commit here, in this thread, right after the audit entries: every appender waits on the chain head until
    # this commit, and the session dependency's own commit would come only after another trip through the
    # thread pool. A failed commit still raises before anything is sent (the dependency rolls back).
    session.commit()
    return _json(view, status.HTTP_201_CREATED)


@router.post("/decisions/preview")
def preview(body: DisclosureRequestIn, caller: Requester, session: SessionDep, gate: GateDep,
            vocab: VocabularyDep) -> dict[str, Any]:
    return service.submit(session, gate, caller, body, vocab, preview=True)


@router.get("/disclosure-requests")
def approval_queue(caller: CurrentUser, session: SessionDep, status_filter: Annotated[
        DecisionKind | Literal[""] | None, Query(alias="status")] = DecisionKind.PENDING_APPROVAL,
        school_id: Annotated[str | None, Query(max_length=200)] = None,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    return reads.queue(session, caller, str(status_filter) if status_filter else None, school_id, cursor, limit)


@router.get("/disclosure-requests/{request_id}", response_model=None)
def get_request(request_id: Id, caller: CurrentUser, session: SessionDep, gate: GateDep) -> JSONResponse:
    return _json(reads.get_request(session, gate, caller, request_id))


@router.post("/disclosure-requests/{request_id}/approve")
def approve(request_id: Id, caller: CurrentUser, session: SessionDep, gate: GateDep,
            body: ApproveIn | None = None) -> dict[str, Any]:
    row = approvals.approve(session, gate, caller, request_id, body or ApproveIn())
    return request_view(row, released=None, notice_text=gate.policy.notice_text(row.notice_version or ""))


@router.post("/disclosure-requests/{request_id}/deny")
def deny(request_id: Id, caller: CurrentUser, session: SessionDep, gate: GateDep,
         body: DenyIn | None = None) -> dict[str, Any]:
    row = approvals.deny(session, gate, caller, request_id, bool(body and body.reason))
    return request_view(row, released=None, notice_text=gate.policy.notice_text(row.notice_version or ""))


@router.post("/disclosure-requests/{request_id}/replay")
def replay(request_id: Id, caller: Auditor, session: SessionDep, gate: GateDep,
           body: ReplayIn | None = None) -> dict[str, Any]:
    """Decide the request's stored facts again under the policy in force then (it must reproduce the stored
    decision) and under the current or the named version, with the differences (auditor, admin)."""
    return replay_service.replay(session, gate, caller, request_id, body.policy_version if body else None)


@router.get("/students/{student_id}/disclosure-record")
def disclosure_record(student_id: Id, caller: CurrentUser, session: SessionDep,
                      since: date | None = None, until: date | None = None) -> dict[str, Any]:
    return record.disclosure_record(session, caller, student_id, since, until)


@router.get("/students/{student_id}/disclosure-record/{request_id}/copy")
def consent_copy(student_id: Id, request_id: Id, caller: CurrentUser, session: SessionDep,
                 gate: GateDep) -> dict[str, Any]:
    return record.consent_copy(session, caller, student_id, request_id, gate.records(session))
