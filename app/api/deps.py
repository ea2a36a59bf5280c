"""Request-scoped dependencies: the session that commits before the response is sent, the caller, role checks.

The trap with FastAPI: a yield dependency normally finishes after the response went out, so a failed commit would
follow a 2xx that already carried data. scope="function" ends it before the response is sent (house rule 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from app.audit.service import append_in_new_transaction
from app.auth import tokens
from app.auth.principal import Principal
from app.config import Settings
from app.db.models import User
from app.domain.principals import principal_of
from app.errors import Forbidden, Unauthorized
from app.policy.vocabulary import Vocabulary


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_vocabulary(request: Request) -> Vocabulary:
    vocab: Vocabulary = request.app.state.vocabulary
    return vocab


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
VocabularyDep = Annotated[Vocabulary, Depends(get_vocabulary)]


def _audit_outside(request: Request, event: str, actor_id: str | None, data: dict[str, Any]) -> None:
    """Refusals are audited in their own transaction: the request's own work is rolled back."""
    append_in_new_transaction(request.app.state.session_factory, event, actor_id=actor_id, data=data)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def get_principal(request: Request, session: SessionDep) -> Principal:
    route = {"method": request.method, "path": request.url.path}
    token = _bearer(request)
    if token is None:
        _audit_outside(request, "auth.failed", None, {**route, "problem": "missing_token"})
        raise Unauthorized("A bearer token is required.", headers={"WWW-Authenticate": "Bearer"})
    try:
        subject = tokens.decode(token, request.app.state.settings)
    except tokens.InvalidToken as exc:
        _audit_outside(request, "auth.failed", None, {**route, "problem": str(exc)})
        raise Unauthorized("The bearer token is invalid or expired.",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
    user = session.get(User, subject)
    if user is None:
        _audit_outside(request, "auth.failed", None, {**route, "problem": "unknown_user"})
        raise Unauthorized("The token names no known user.", headers={"WWW-Authenticate": "Bearer"})
    principal = principal_of(user)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str) -> Callable[..., Principal]:
    """A dependency that yields the caller when their role is one of `roles`, else 403 (audited)."""
    allowed = frozenset(roles)

    def _check(request: Request, principal: CurrentUser) -> Principal:
        if principal.role not in allowed:
            forbid(request, principal, "role")
        return principal

    return _check


def forbid(request: Request, principal: Principal, why: str) -> None:
    """Refuse with 403; the error handler audits access.forbidden in a transaction of its own."""
    raise Forbidden(f"Your role ({principal.role}) may not do this.", audit_data={"role": principal.role, "why": why})


AdminUser = Annotated[Principal, Depends(require_roles("admin"))]
