"""Liveness and readiness, outside /api/v1 and unauthenticated."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.errors import NotReady

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> dict[str, str]:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise NotReady("The database is not reachable.") from exc
    # Trusted issuers (issue 15): one whose keys were never fetched cannot verify any of its tokens. Once fetched,
    # keys stay usable through a provider outage, so the service stays ready.
    unreachable = sorted(s.name for s in request.app.state.verifier.key_sources() if not s.ready and not s.prefetch())
    if unreachable:
        raise NotReady(f"Trusted issuer(s) unreachable, their keys never fetched: {', '.join(unreachable)}.",
                       errors=[{"issuer": name, "msg": "unreachable"} for name in unreachable])
    return {"status": "ready", "policy_version": request.app.state.policy_version}
