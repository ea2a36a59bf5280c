"""A Principal for a stored user, for work done on behalf of an earlier caller (re-decisions)."""

from __future__ import annotations

from app.auth.principal import Principal
from app.db.models import User


def principal_of(user: User) -> Principal:
    return Principal(id=user.id, role=user.role, name=user.name, district_id=user.district_id,
                     agency_type=user.agency_type, school_ids=frozenset(user.school_ids or []), title=user.title,
                     affiliation=user.affiliation)
