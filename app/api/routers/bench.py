"""Baselines for benchmarks/gate.py, mounted only with GATEKEEPER_ENV=development.

`baseline` does the gate's work without the decision: it reads the same fields, writes the same request row with
the same field decisions (taken from one earlier decision of the same body) and the same audit entries. `bare`
reads the fields and appends one audit entry. They release without deciding, so they exist only in development.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter

from app import clock
from app.api.deps import SessionDep
from app.api.routers.disclosures import GateDep, Requester
from app.audit.chain import payload_digest
from app.audit.service import append
from app.db.artifacts import DisclosureRequest
from app.domain.disclosures import context as ctx
from app.domain.disclosures import state
from app.domain.disclosures.schemas import DisclosureRequestIn
from app.domain.disclosures.service import decided_event_data
from app.domain.ids import new_id
from app.policy.types import Decision
from app.records.base import redact

router = APIRouter(prefix="/_bench", tags=["benchmarks"])
_decisions: dict[str, Decision] = {}


def _key(body: DisclosureRequestIn, caller_id: str) -> str:
    return hashlib.sha256((caller_id + json.dumps(body.model_dump(mode="json"), sort_keys=True)).encode()).hexdigest()


@router.post("/baseline")
def baseline(body: DisclosureRequestIn, caller: Requester, session: SessionDep, gate: GateDep) -> dict[str, Any]:
    key = _key(body, caller.id)
    if key not in _decisions:  # one real decision per distinct body, outside the measured steady state
        _decisions[key] = gate.policy.decide(ctx.load(session, gate.store, caller, body, clock.now()).context)
    decision = _decisions[key]
    now = clock.now()
    row = DisclosureRequest(
        id=new_id("bch"), district_id=None, student_id=body.student_id, school_id=None, caller_id=caller.id,
        requester_id=caller.id, recipient_id=caller.id, purpose=body.purpose, body=body.model_dump(mode="json"),
        decision=decision.decision.value, fields=[state.stored_field(f) for f in decision.fields],
        use_restrictions=list(decision.use_restrictions), notice_version=None, approvals=[], released_by=None,
        released_at=now, sealed=False, in_record=False, named_student_ids=[], explanation=decision.explanation,
        policy_version=decision.policy_version, config_version="sha256:bench", created_at=now, updated_at=now)
    session.add(row)
    names = [state.released_name(f) for f in row.fields if f["outcome"] == "RELEASE"]
    released = redact(gate.store.read(session, str(body.student_id), names), names)
    session.flush()
    append(session, "request.created", actor_id=caller.id, request_id=row.id, data={"fields": list(body.fields)})
    append(session, "request.decided", actor_id="gatekeeper", request_id=row.id, data=decided_event_data(row))
    entry = append(session, "data.released", actor_id=caller.id, request_id=row.id,
                   data={"fields": sorted(released), "digest": payload_digest(gate.digest_key, released)})
    return {"id": row.id, "released": dict(released), "audit": {"seq": entry.seq}}


@router.post("/bare")
def bare(body: DisclosureRequestIn, caller: Requester, session: SessionDep, gate: GateDep) -> dict[str, Any]:
    values = redact(gate.store.read(session, str(body.student_id), body.fields), body.fields)
    entry = append(session, "bench.read", actor_id=caller.id, data={"fields": sorted(values)})
    return {"released": dict(values), "audit": {"seq": entry.seq}}
