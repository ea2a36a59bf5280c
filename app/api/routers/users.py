"""Accounts (issue 15): list and read users (admin, auditor), disable and enable them (admin). Thin: the service
keeps a district caller inside its district (another district's user is the 404 of a missing one).
PUT /api/v1/users/{id} (create or update, with `identities`) stays with the district configuration in admin.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import AdminUser, SessionDep, require_roles
from app.auth.principal import Principal
from app.domain.common import Id
from app.domain.users import service as users
from app.domain.users.schemas import UserPage, UserRead

router = APIRouter(prefix="/api/v1/users", tags=["users"])

Reader = Annotated[Principal, Depends(require_roles("admin", "auditor"))]
QueryId = Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")]


@router.get("", response_model=UserPage)
def list_users(session: SessionDep, caller: Reader, role: QueryId = None, school_id: QueryId = None,
               district_id: QueryId = None, cursor: QueryId = None,
               limit: Annotated[int, Query(ge=1, le=users.MAX_LIMIT)] = 100) -> UserPage:
    """Users of the caller's district (every district for a caller of none), by id; filters combine."""
    return users.list_users(session, caller, role=role, school_id=school_id, district_id=district_id,
                            cursor=cursor, limit=limit)


@router.get("/{user_id}", response_model=UserRead)
def get_user(user_id: Id, session: SessionDep, caller: Reader) -> UserRead:
    return users.get_user(session, caller, user_id)


@router.post("/{user_id}/disable", response_model=UserRead)
def disable_user(user_id: Id, session: SessionDep, admin: AdminUser) -> UserRead:
    """Refuse the user on every route from now on (401), whatever token it holds; audited as user.disabled."""
    return users.disable(session, admin, user_id)


@router.post("/{user_id}/enable", response_model=UserRead)
def enable_user(user_id: Id, session: SessionDep, admin: AdminUser) -> UserRead:
    """Let a disabled user in again; audited as user.enabled."""
    return users.enable(session, admin, user_id)
