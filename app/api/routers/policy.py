"""GET /api/v1/policy (API.md section 10): the loaded policy's version, rules, purposes and field tags."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from app.api.deps import CurrentUser

router = APIRouter(prefix="/api/v1", tags=["policy"])


@router.get("/policy")
def get_policy(request: Request, _caller: CurrentUser) -> dict[str, Any]:
    engine = request.app.state.policy
    return {"version": engine.version, "rules": engine.rule_ids(), "purposes": engine.purposes(),
            "field_tags": engine.field_tags()}
