"""Request-scoped dependencies: the session that commits before the response is sent, the caller, role checks.

The trap with FastAPI: a yield dependency normally finishes after the response went out, so a failed commit would
follow a 2xx that already carried data. scope="function" ends it before the response is sent (house rule 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

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


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def get_principal(request: Request, session: SessionDep) -> Principal:
    # Refusals carry their auth.failed event; the error handler appends it after this session rolled back.
    token = _bearer(request)
    if token is None:
        raise Unauthorized("A bearer token is required.", headers={"WWW-Authenticate": "Bearer"},
                           audit_event="auth.failed", audit_data={"problem": "missing_token"})
    try:
        subject = tokens.decode(token, request.app.state.settings)
    except tokens.InvalidToken as exc:
        raise Unauthorized("The bearer token is invalid or expired.",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                           audit_event="auth.failed", audit_data={"problem": str(exc)}) from exc
    user = session.get(User, subject)
    if user is None:
        raise Unauthorized("The token names no known user.", headers={"WWW-Authenticate": "Bearer"},
                           audit_event="auth.failed", audit_data={"problem": "unknown_user"})
    # The identity map holds rows weakly: keeping the caller's row for the request makes later reads of it free.
    session.info["caller_row"] = user
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
