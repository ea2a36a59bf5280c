"""Consents, emergencies, legal orders and reports (API.md section 6). Thin: logic in the services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status

from app.api.deps import CurrentUser, SessionDep, VocabularyDep
from app.domain.common import Id
from app.domain.legal_bases import reports
from app.domain.legal_bases import service as svc
from app.domain.legal_bases.schemas import (
    ConsentIn,
    EmergencyIn,
    LegalOrderIn,
    NoteIn,
    ParentNoticeIn,
    RecipientsIn,
    RejectIn,
    RenewIn,
    ReportIn,
    RevokeIn,
)

router = APIRouter(prefix="/api/v1", tags=["legal bases"])
CREATED = status.HTTP_201_CREATED


@router.post("/students/{student_id}/consents", status_code=CREATED)
def create_consent(student_id: Id, body: ConsentIn, caller: CurrentUser, session: SessionDep,
                   vocab: VocabularyDep) -> dict[str, Any]:
    return svc.consent_view(svc.record_consent(session, caller, student_id, body, vocab))


@router.get("/students/{student_id}/consents")
def get_consents(student_id: Id, caller: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return {"consents": svc.list_consents(session, caller, student_id)}


@router.post("/consents/{consent_id}/revoke")
def revoke(consent_id: str, body: RevokeIn, caller: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return svc.consent_view(svc.revoke_consent(session, caller, consent_id, body))


@router.post("/emergencies", status_code=CREATED)
def declare(request: Request, body: EmergencyIn, session: SessionDep, vocab: VocabularyDep,
            caller: CurrentUser) -> dict[str, Any]:
    emergency = svc.declare_emergency(session, caller, body, request.app.state.generic_phrases, vocab)
    return svc.emergency_view(session, emergency)


@router.post("/emergencies/{emergency_id}/end")
def end(emergency_id: str, caller: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return svc.emergency_view(session, svc.end_emergency(session, caller, emergency_id))


@router.post("/emergencies/{emergency_id}/renew")
def renew(request: Request, emergency_id: str, body: RenewIn, caller: CurrentUser,
          session: SessionDep) -> dict[str, Any]:
    emergency = svc.renew_emergency(session, caller, emergency_id, body, request.app.state.generic_phrases)
    return svc.emergency_view(session, emergency)


@router.post("/emergencies/{emergency_id}/recipients")
def add_recipients(emergency_id: str, body: RecipientsIn, caller: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return svc.emergency_view(session, svc.add_recipients(session, caller, emergency_id, body))


@router.post("/legal-orders", status_code=CREATED)
def create_order(body: LegalOrderIn, caller: CurrentUser, session: SessionDep, vocab: VocabularyDep) -> dict[str, Any]:
    return svc.order_view(svc.record_order(session, caller, body, vocab))


@router.post("/legal-orders/{order_id}/validate")
def validate(order_id: str, caller: CurrentUser, session: SessionDep, body: NoteIn | None = None) -> dict[str, Any]:
    return svc.order_view(svc.validate_order(session, caller, order_id, body.note if body else None))


@router.post("/legal-orders/{order_id}/reject")
def reject(order_id: str, caller: CurrentUser, session: SessionDep, body: RejectIn | None = None) -> dict[str, Any]:
    return svc.order_view(svc.reject_order(session, caller, order_id, body.reason if body else None))


@router.post("/legal-orders/{order_id}/parent-notice")
def parent_notice(order_id: str, body: ParentNoticeIn, caller: CurrentUser, session: SessionDep) -> dict[str, Any]:
    order = svc.record_parent_notice(session, caller, order_id, body.sent_at, body.method, body.notified)
    return svc.order_view(order)


@router.post("/reports", status_code=CREATED)
def create_report(body: ReportIn, caller: CurrentUser, session: SessionDep, vocab: VocabularyDep) -> dict[str, Any]:
    return reports.report_view(reports.file_report(session, caller, body, vocab))
