"""Baselines for benchmarks/gate.py, mounted only with GATEKEEPER_ENV=development.

`baseline` does the gate's work without the decision: the same vocabulary check, then the gate's own `record()`
(the same request row and field decisions, the same reads, audit entries and response), fed with the facts and
decision of one earlier real decision of the same body. What it skips is exactly loading the facts and deciding.
`bare` reads the fields and appends one audit entry. They release without deciding, so they exist only in
development.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from app import clock
from app.api.deps import SessionDep, VocabularyDep
from app.api.routers.disclosures import GateDep, Requester
from app.audit.service import append
from app.domain.disclosures import context as ctx
from app.domain.disclosures import service
from app.domain.disclosures.schemas import DisclosureRequestIn
from app.policy.types import Decision
from app.records.base import redact

router = APIRouter(prefix="/_bench", tags=["benchmarks"])
_decided: dict[str, tuple[ctx.Loaded, Decision]] = {}


def _key(body: DisclosureRequestIn, caller_id: str) -> str:
    return hashlib.sha256((caller_id + json.dumps(body.model_dump(mode="json"), sort_keys=True)).encode()).hexdigest()


@router.post("/baseline")
def baseline(body: DisclosureRequestIn, caller: Requester, session: SessionDep, gate: GateDep,
             vocab: VocabularyDep) -> JSONResponse:
    service.check_vocabulary(body, vocab)
    key = _key(body, caller.id)
    if key not in _decided:  # one real decision per distinct body, outside the measured steady state
        loaded = ctx.load(session, gate, caller, body, clock.now())
        _decided[key] = (loaded, gate.policy.decide(loaded.context))
    loaded, decision = _decided[key]
    loaded = replace(loaded, context=replace(loaded.context, now=clock.now()))
    view = service.record(session, gate, caller, body, loaded, decision)
    session.commit()  # as the gate's route does
    return JSONResponse(view, status_code=status.HTTP_201_CREATED)


@router.post("/bare")
def bare(body: DisclosureRequestIn, caller: Requester, session: SessionDep, gate: GateDep) -> dict[str, Any]:
    values = redact(gate.store.read(session, str(body.student_id), body.fields), body.fields)
    entry = append(session, "bench.read", actor_id=caller.id, data={"fields": sorted(values)})
    return {"released": dict(values), "audit": {"seq": entry.seq}}
