"""The gate (API.md section 7; ARCHITECTURE.md "One request, end to end").

submit(): decide, approve a signed push at creation, persist the request and its field decisions, release only the
RELEASE fields, and append the audit events as the transaction's last writes. The router's session commits before
the response is sent, so no audit entry means no data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.audit.service import AppendedEntry, Event, append, append_all
from app.auth.principal import Principal
from app.db.artifacts import DecisionRecord, DisclosureRequest
from app.domain import access
from app.domain.disclosures import context as ctx
from app.domain.disclosures import repository, state
from app.domain.disclosures.gate import Gate
from app.domain.disclosures.release import audit_release, read_released, release_event
from app.domain.disclosures.schemas import DisclosureRequestIn
from app.domain.disclosures.views import request_view
from app.domain.ids import new_id
from app.errors import Forbidden, Unprocessable
from app.policy import snapshot
from app.policy.combine import explain
from app.policy.emergency import declaration_relied_on
from app.policy.facts import DecisionContext, EmergencyFacts
from app.policy.types import Decision
from app.policy.vocabulary import Vocabulary
from app.records.base import Released


def _created_event_data(body: DisclosureRequestIn, caller: Principal) -> dict[str, Any]:
    return {
        "purpose": body.purpose, "fields": list(body.fields), "caller_id": caller.id,
        "requester_id": body.requester or caller.id, "recipient_id": body.recipient,
        "incident_id": body.incident_id, "emergency_id": body.emergency_id, "consent_ids": body.all_consent_ids(),
        "legal_order_id": body.legal_order_id, "report_id": body.report_id, "reuse_of_id": body.reuse_of,
        "destination": body.destination, "channel": body.channel, "identified_by": body.identified_by,
        "population_request": body.student_id is None,
    }


def decided_event_data(row: DisclosureRequest) -> dict[str, Any]:
    return {"decision": row.decision, "purpose": row.purpose, "fields": [
        {k: f.get(k) for k in ("field", "outcome", "reason", "reasons", "rules", "basis", "released_as",
                               "approver_roles") if f.get(k) is not None} for f in row.fields]}


def _approve_push(row: DisclosureRequest, caller: Principal, school_id: str | None) -> tuple[bool, bool]:
    """A signed push (R-APR-4): the caller asks, may approve for this school and is not the recipient. Creating
    the request signs every pending field for the approval groups holding the caller's role: a field that needs
    only those is released; one that also needs another group (a conflict of interest: the chief, R-SO-6) keeps
    waiting for that group alone. Returns (signed anything, released anything)."""
    if caller.id != row.requester_id or caller.id == row.recipient_id:
        return False, False
    if not access.serves_school(caller, school_id):
        return False, False
    signed = released = False
    for field in row.fields:
        if field["outcome"] != "PENDING" or field.get("waiting_for"):
            continue
        field_groups = state.groups(field)
        mine = [i for i, g in enumerate(field_groups) if caller.role in g]
        if not mine:
            continue
        signed = True
        if len(mine) == len(field_groups):
            state.release(field, caller.id)
            released = True
        else:
            field["approved_groups"] = mine
            field.setdefault("approved_by", []).append(caller.id)
    return signed, released


def check_vocabulary(body: DisclosureRequestIn, vocab: Vocabulary) -> None:
    """Unknown purposes, channels, identifications and destinations are bad input (422), not decisions."""
    checks = [("purpose", "purposes", body.purpose), ("channel", "channels", body.channel),
              ("identified_by", "identified_by", body.identified_by)]
    if body.destination is not None:
        checks.append(("destination", "destinations", body.destination))
    for member, kind, value in checks:
        if not vocab.has(kind, value):
            raise Unprocessable("The request body is invalid.",
                                errors=[{"loc": ["body", member], "msg": f"unknown {member}"}])


def submit(session: Session, gate: Gate, caller: Principal, body: DisclosureRequestIn, vocab: Vocabulary, *,
           preview: bool = False) -> dict[str, Any]:
    check_vocabulary(body, vocab)
    if not access.may_name_requester(caller, body.requester):
        raise Forbidden("Only district staff may enter a request for another requester.",
                        audit_data={"role": caller.role, "why": "requester", "student_id": body.student_id})
    loaded = ctx.load(session, gate, caller, body, clock.now())
    decision = gate.policy.decide(loaded.context)
    return record(session, gate, caller, body, loaded, decision, preview=preview)


def record(session: Session, gate: Gate, caller: Principal, body: DisclosureRequestIn, loaded: ctx.Loaded,
           decision: Decision, *, preview: bool = False) -> dict[str, Any]:
    """Everything after the decision: persist the request, release what it allows, audit, and build the view."""
    now = loaded.context.now
    student = loaded.student
    district_id = loaded.district.id if loaded.district else None
    row = DisclosureRequest(
        id=new_id("prv" if preview else "req"), district_id=district_id, student_id=body.student_id,
        school_id=student.school_id if student else body.school_id, caller_id=caller.id,
        requester_id=body.requester or caller.id,
        recipient_id=body.recipient or body.requester or caller.id, purpose=body.purpose,
        body=body.model_dump(mode="json", exclude={"justification"}),
        decision=decision.decision.value, fields=[state.stored_field(f) for f in decision.fields],
        use_restrictions=list(decision.use_restrictions),
        notice_version=(loaded.district.settings or {}).get("redisclosure_notice_version")
        if decision.notice_required and loaded.district else None,
        approvals=[], released_by=None, released_at=None, sealed=_sealed(loaded),
        in_record=student is not None, named_student_ids=[], explanation=decision.explanation,
        policy_version=decision.policy_version, config_version=loaded.config_version, created_at=now, updated_at=now)
    signed, released_any = (False, False) if preview else _approve_push(row, caller, row.school_id)
    if signed:
        row.approvals = [{"by": caller.id, "role": caller.role, "at": now.isoformat(), "kind": "push"}]
    if released_any:
        row.released_by = caller.id
    row.decision = state.request_decision(row.fields)
    if signed:  # the push settled fields the engine left pending: explain what now stands
        row.explanation = explain(row.decision, row.fields)
    if preview:
        # A preview row is never stored: name its district, so the wall's stamp does not look for it (audit.service).
        entry = append(session, "request.previewed", actor_id=caller.id, student_id=_sid(row),
                       district_id=row.district_id, data={
            **_created_event_data(body, caller), **decided_event_data(row)},
            policy_version=row.policy_version, config_version=row.config_version)
        return request_view(row, released=None, notice_text=None, last_entry=entry)
    settled = row.decision in ("ALLOW", "ALLOW_REDACTED")
    if settled:  # marked before the first write, so the row is inserted once, not inserted and then updated
        mark_released(session, row, decision.auto_release_rule, loaded.context)
    session.add(row)
    keep_decision(session, row, "created", loaded.context, decision)
    events = [
        Event("request.created", caller.id, _sid(row), row.id, _created_event_data(body, caller)),
        Event("request.decided", "gatekeeper", _sid(row), row.id, decided_event_data(row), row.policy_version,
              row.config_version)]
    if any(f.get("waiting_for") == "EMERGENCY_DECLARATION" for f in row.fields):
        events.append(Event("emergency.requested", caller.id, _sid(row), row.id,
                            {"urgent": True, "school_id": row.school_id}))
    released = Released({})
    if settled:
        released = settle(session, gate, row, decision.auto_release_rule, loaded.context)
        events.append(release_event(row, released, gate.digest_key, row.released_by or "gatekeeper"))
    entries = append_all(session, events)  # the last writes: see append_all
    to_caller = access.receives_values(caller, caller_id=row.caller_id, recipient_id=row.recipient_id)
    notice = gate.policy.notice_text(row.notice_version or "")
    return request_view(row, released=released if to_caller else None, notice_text=notice, last_entry=entries[-1])


def keep_decision(session: Session, row: DisclosureRequest, occasion: str, context: DecisionContext,
                  decision: Decision) -> None:
    """Keep what the engine answered and the facts it answered on, student values taken out, for replay."""
    repository.add_decision_record(session, DecisionRecord(
        request=row, occasion=occasion, decided_at=context.now, policy_version=decision.policy_version,
        facts=snapshot.take(context), decision=decision.to_json()))


def _sid(row: DisclosureRequest) -> str | None:
    return row.student_id if row.in_record else None


def _sealed(loaded: ctx.Loaded) -> bool:
    order = loaded.context.request.legal_order
    return bool(order and order.non_disclosure_order)


def mark_released(session: Session, row: DisclosureRequest, auto_rule: str | None, context: DecisionContext) -> None:
    """Who released the request, when, and which other students its released records name (R-LOG-2, R-REC-9)."""
    if row.released_by is None:
        row.released_by = _official(row, auto_rule, context)
    row.released_at = context.now
    repository.set_named_students(row, _named_students(session, row))


def settle(session: Session, gate: Gate, row: DisclosureRequest, auto_rule: str | None,
           context: DecisionContext) -> Released:
    """Mark a request that releases data as released and read exactly its released fields."""
    if row.released_at is None:
        mark_released(session, row, auto_rule, context)
        session.flush()
    return read_released(gate.records(session), row)


def finish_release(session: Session, gate: Gate, row: DisclosureRequest, auto_rule: str | None,
                   context: DecisionContext) -> tuple[Released, AppendedEntry]:
    """Settle a request that releases data and append data.released."""
    released = settle(session, gate, row, auto_rule, context)
    return released, audit_release(session, row, released, gate.digest_key, row.released_by or "gatekeeper")


def _official(row: DisclosureRequest, auto_rule: str | None, context: DecisionContext) -> str:
    """R-LOG-2: the releasing official. An approver who signed (even before a waited-for fact arrived); for an
    emergency release the declaring official; for an order the validating official; an automatic release names the
    rule (API.md section 8)."""
    approvers = [a["by"] for a in row.approvals if not a.get("denied")]
    if approvers:
        return str(approvers[-1])
    bases = {b for f in row.fields if f["outcome"] == "RELEASE" for b in f.get("basis", [])}
    request = context.request
    emergency = emergency_used(context)
    if "FERPA_EMERGENCY" in bases and emergency is not None:
        row.emergency_used_id = emergency.id
        return emergency.declared_by
    if "FERPA_JUDICIAL" in bases and request.legal_order and request.legal_order.validated_by:
        return request.legal_order.validated_by
    return f"gatekeeper:{auto_rule}" if auto_rule else "gatekeeper"


def emergency_used(context: DecisionContext) -> EmergencyFacts | None:
    """The declaration an emergency release relies on: the cited one, or (R-EMG-7, nothing cited) the active
    declaration for this student that names the recipient, found as the engine finds it."""
    request = context.request
    recipient = request.recipient or request.requester
    if recipient is None or context.student is None:
        return request.emergency
    return declaration_relied_on(request, context.student.id, recipient, context.now, context.district)


def _named_students(session: Session, row: DisclosureRequest) -> list[str]:
    """Other students named in an unmasked incident report that was released (API.md section 8)."""
    from app.db.models import Incident

    named: list[str] = []
    for field in row.fields:
        name = str(field["field"])
        if field["outcome"] != "RELEASE" or field.get("released_as") or not name.startswith("incident_report:"):
            continue
        incident = session.get(Incident, name.split(":", 1)[1])
        if incident is not None and incident.district_id == row.district_id:
            named += [s["student_id"] for s in incident.students or [] if s["student_id"] != row.student_id]
    return sorted(set(named))
