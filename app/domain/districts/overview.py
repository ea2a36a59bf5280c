"""The district's configuration at a glance (the admin's page, issue 16): MOU, annual notices, settings, schools.
Inside the caller's district only; no student value is part of a district's configuration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.db.models import District, School
from app.domain.access import scope_of


def _districts(session: Session, caller: Principal) -> list[District]:
    scope = scope_of(caller)
    query = select(District).order_by(District.id)
    if not scope.everywhere:
        query = query.where(District.id == scope.district_id)
    return list(session.scalars(query))


def _schools(session: Session, district_id: str) -> list[School]:
    return list(session.scalars(select(School).where(School.district_id == district_id).order_by(School.id)))


def overview(session: Session, caller: Principal) -> list[dict[str, Any]]:
    return [{
        "id": d.id, "name": d.name, "timezone": d.timezone,
        "mou": {"signed_on": d.mou_signed_on, "withdrawn_on": d.mou_withdrawn_on,
                "filed_with_dese": d.mou_filed_with_dese},
        "annual_notifications": list(d.annual_notifications or []), "settings": dict(d.settings or {}),
        "home_language_duty": list(d.home_language_duty or []),
        "schools": [{"id": s.id, "name": s.name, "grades": list(s.grades or [])} for s in _schools(session, d.id)],
    } for d in _districts(session, caller)]
