"""Approve, deny, and the re-decision of waiting fields (API.md section 7; R-APR-*, R-GATE-3, R-LGL-2, R-EMG-7).

Refusals raise typed errors carrying an `approval.rejected` audit event; the error handler appends it in a
transaction of its own, because the request's transaction (and so any change) is rolled back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app import clock
from app.audit.service import AppendedEntry, append
from app.auth.principal import Principal
from app.db.artifacts import DisclosureRequest
from app.domain import access
from app.domain.disclosures import context as ctx
from app.domain.disclosures import repository as repo
from app.domain.disclosures import state
from app.domain.disclosures.gate import Gate
from app.domain.disclosures.schemas import ApproveIn, DisclosureRequestIn
from app.domain.disclosures.service import decided_event_data, finish_release, keep_decision
from app.domain.districts import repository as people
from app.domain.principals import principal_of
from app.errors import Conflict, Forbidden, NotFound
from app.policy.candidate import Missing
from app.policy.combine import explain
from app.policy.facts import DecisionContext
from app.policy.fielddecide import withhold
from app.policy.types import Decision, FieldDecision, Outcome

APPROVER_ROLES = frozenset({"principal", "designee", "superintendent", "counsel", "chief", "leu_supervisor"})


def load_request(session: Session, caller: Principal, request_id: str) -> DisclosureRequest:
    row = repo.get_in(session, access.scope_of(caller), request_id)
    if row is None:
        raise NotFound("No such disclosure request.")
    return row


def _rejected(kind: type[Conflict] | type[Forbidden], row: DisclosureRequest, detail: str,
              **data: Any) -> Conflict | Forbidden:
    return kind(detail, audit_event="approval.rejected",
                audit_data={"request_id": row.id, "student_id": row.student_id if row.in_record else None,
                            "problem": detail, **data})


def refresh(session: Session, gate: Gate, row: DisclosureRequest) -> AppendedEntry | None:
    """Re-decide fields that wait for a fact (notice hold elapsed, emergency declared, services notice on file).

    Fields already settled never change: a re-decision can only settle a waiting field. Returns the last audit
    entry when something was released."""
    waiting = [f for f in row.fields if state.is_waiting(f)]
    if not waiting:
        return None
    decided = _decided_now(session, gate, row, clock.now())
    if decided is None:
        return None
    context, fresh = decided
    changed = False
    for field in waiting:
        new = fresh.field(field["field"])
        if new is None or new.to_json() == state.public_field(field):
            continue
        approved = set(field.get("approved_groups", []))
        state.adopt(field, new)
        groups = state.groups(field)
        if field["outcome"] == "PENDING" and not field.get("waiting_for") and groups and approved >= set(
                range(len(groups))):
            state.release(field, None)
        changed = True
    if not changed:
        return None
    keep_decision(session, row, "redecided", context, fresh)
    return _settle(session, gate, row, fresh.auto_release_rule, context, event="request.decided")


def _settle(session: Session, gate: Gate, row: DisclosureRequest, auto_rule: str | None, context: Any,
            event: str, actor: str = "gatekeeper", extra: dict[str, Any] | None = None) -> AppendedEntry:
    # Fields were changed in place: tell SQLAlchemy, which cannot see inside a JSON value.
    flag_modified(row, "fields")
    flag_modified(row, "approvals")
    row.decision = state.request_decision(row.fields)
    row.explanation = explain(row.decision, row.fields)
    row.updated_at = clock.now()
    session.flush()
    entry = append(session, event, actor_id=actor, student_id=row.student_id if row.in_record else None,
                   request_id=row.id, data={**decided_event_data(row), **(extra or {})},
                   policy_version=row.policy_version, config_version=row.config_version)
    if row.decision in ("ALLOW", "ALLOW_REDACTED") and row.released_at is None:
        _, entry = finish_release(session, gate, row, auto_rule, context)
    return entry


def _check_approver(row: DisclosureRequest, caller: Principal) -> None:
    if caller.role not in APPROVER_ROLES:
        raise _rejected(Forbidden, row, "Your role cannot approve disclosures.")
    if caller.id in (row.requester_id, row.recipient_id):
        raise _rejected(Forbidden, row, "The requester or recipient cannot approve their own request.")
    if not access.may_approve_for(caller, row.school_id):
        raise _rejected(Forbidden, row, "You are not an approver for this student's school.")


def approve(session: Session, gate: Gate, caller: Principal, request_id: str, body: ApproveIn) -> DisclosureRequest:
    row = load_request(session, caller, request_id)
    _check_approver(row, caller)
    released_now = refresh(session, gate, row) is not None
    pending = {f["field"]: f for f in row.fields if f["outcome"] == "PENDING"}
    if not pending:
        if released_now:
            return row
        raise _rejected(Conflict, row, "Nothing in this request is pending approval.")
    by_name = {f["field"]: f for f in row.fields}
    named = list(dict.fromkeys(body.fields)) if body.fields is not None else list(pending)
    for name in named:
        if name not in by_name:
            raise _rejected(Conflict, row, "An approval cannot add a field the request did not ask for.",
                            field_name=name)
        if name not in pending:
            raise _rejected(Conflict, row, "A withheld or settled field cannot be approved (R-GATE-3).",
                            field_name=name, outcome=by_name[name]["outcome"])
    for name in named:
        field = pending[name]
        if caller.role not in {r for g in state.groups(field) for r in g}:
            if state.is_waiting(field):
                raise _rejected(Conflict, row, "This field waits for a fact (order validation, notice hold, "
                                "emergency declaration or services notice), not for an approval.", field_name=name)
            raise _rejected(Forbidden, row, "Your role is not among this field's approvers.", field_name=name)
        if field.get("reason") == "W_LEGAL_REVIEW":
            raise _rejected(Conflict, row, "A legal order is released by validation and the notice hold, "
                            "not by approval; validate the order first.", field_name=name)
        if field.get("waiting_for") == "EMERGENCY_DECLARATION":
            raise _rejected(Conflict, row, "No emergency covering this student and recipient has been declared.",
                            field_name=name)
    now = clock.now()
    decided = _decided_now(session, gate, row, now)
    fresh = decided[1] if decided else None
    if decided is not None:
        keep_decision(session, row, "approved", *decided)
    for name, field in pending.items():
        field_groups = state.groups(field)
        mine = [i for i, g in enumerate(field_groups) if caller.role in g]
        if name not in named:
            if mine:
                state.withhold(field, "W_NOT_APPROVED", "R-APR-3")
            continue
        done = sorted(set(field.get("approved_groups", [])) | set(mine))
        field["approved_groups"] = done
        field.setdefault("approved_by", []).append(caller.id)
        if len(done) >= len(field_groups) and not field.get("waiting_for"):
            _release_if_still_lawful(field, fresh.field(name) if fresh else None)
    row.approvals = [*row.approvals, {"by": caller.id, "role": caller.role, "at": now.isoformat(),
                                      "fields": named, "note_given": bool(body.note)}]
    if any(f["outcome"] == "RELEASE" for f in row.fields) and row.released_by is None:
        row.released_by = caller.id
    context = decided[0] if decided else ctx.load(session, gate, caller, DisclosureRequestIn.model_validate(row.body),
                                                    now).context
    _settle(session, gate, row, None, context, event="request.approved", actor=caller.id,
            extra={"approved_fields": named})
    return row


def _decided_now(session: Session, gate: Gate, row: DisclosureRequest,
                 now: datetime) -> tuple[DecisionContext, Decision] | None:
    """The request's facts as of now and its decision on them, for its original caller; None if that account is
    gone."""
    caller_row = people.get_user(session, row.caller_id)
    if caller_row is None:
        return None
    body = DisclosureRequestIn.model_validate(row.body)
    context = ctx.load(session, gate, principal_of(caller_row), body, now).context
    return context, gate.policy.decide(context)


def _release_if_still_lawful(field: dict[str, Any], fresh: FieldDecision | None) -> None:
    """An approval releases a field only if its basis still holds now. A fact that changed while it waited (a
    consent revoked, a declaration ended, an opt-out, a lapsed certification) withholds it instead, with the
    reasons of today's decision (fail closed: R-GATE-1, R-CON-5); one that now waits for a fact keeps waiting, with
    this approval counted."""
    if fresh is not None and fresh.outcome is Outcome.PENDING and fresh.waiting_for:
        state.adopt(field, fresh)
    elif fresh is not None and fresh.outcome is not Outcome.WITHHOLD:
        state.release(field, None)
    else:
        state.adopt(field, fresh or withhold(str(field["field"]), [Missing("W_NO_BASIS", "R-GATE-1")]))


def deny(session: Session, gate: Gate, caller: Principal, request_id: str, reason_given: bool) -> DisclosureRequest:
    row = load_request(session, caller, request_id)
    _check_approver(row, caller)
    pending = [f for f in row.fields if f["outcome"] == "PENDING"]
    if not pending:
        raise _rejected(Conflict, row, "Nothing in this request is pending; there is nothing to deny.")
    # Only a listed approver may refuse: a denial settles the request for every approver (R-APR-1, R-APR-4).
    if not any(caller.role in group for f in pending for group in state.groups(f)):
        raise _rejected(Forbidden, row, "Your role is not among this request's approvers.")
    for field in pending:
        state.withhold(field, "W_NOT_APPROVED", "R-APR-1")
    row.approvals = [*row.approvals, {"by": caller.id, "role": caller.role, "at": clock.now().isoformat(),
                                      "denied": True, "reason_given": reason_given}]
    context = ctx.load(session, gate, caller, DisclosureRequestIn.model_validate(row.body), clock.now()).context
    _settle(session, gate, row, None, context, event="request.denied", actor=caller.id)
    return row
