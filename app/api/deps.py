"""Request-scoped dependencies: the session that commits before the response is sent, the caller, role checks.

The trap with FastAPI: a yield dependency normally finishes after the response went out, so a failed commit would
follow a 2xx that already carried data. scope="function" ends it before the response is sent (house rule 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker, undefer

from app.auth import tokens
from app.auth.failures import AuthFailures, source_of
from app.auth.principal import Principal
from app.config import Settings
from app.db.models import User
from app.domain.principals import principal_of
from app.domain.users.repository import user_by_identity
from app.errors import Forbidden, NotReady, TooManyRequests, Unauthorized
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


def _refuse(request: Request, detail: str, problem: str, *, error: str | None = None,
            user_id: str | None = None) -> Unauthorized | TooManyRequests:
    """A failed authentication: 401, or 429 once the source address is over its limit (app/auth/failures.py).
    The error handler counts it as auth.failed after this session rolled back."""
    data: dict[str, str] = {"problem": problem, **({"user_id": user_id} if user_id else {})}
    failures: AuthFailures | None = getattr(request.app.state, "auth_failures", None)
    retry_after = failures.note_failure(source_of(request.client.host if request.client else None)) \
        if failures is not None else None
    if retry_after is not None:
        return TooManyRequests(f"Too many failed authentications from this address; retry after {retry_after} s.",
                               headers={"Retry-After": str(retry_after)}, audit_event="auth.failed",
                               audit_data=data)
    challenge = f'Bearer error="{error}"' if error else "Bearer"
    return Unauthorized(detail, headers={"WWW-Authenticate": challenge}, audit_event="auth.failed", audit_data=data)


def _user_of(session: Session, identity: tokens.Identity) -> User | None:
    if identity.user_id is not None:
        return session.get(User, identity.user_id, options=[undefer(User.disabled_at)])
    assert identity.issuer is not None and identity.subject is not None
    return user_by_identity(session, identity.issuer, identity.subject)


def get_principal(request: Request, session: SessionDep) -> Principal:
    token = _bearer(request)
    if token is None:
        raise _refuse(request, "A bearer token is required.", "missing_token")
    verifier: tokens.Verifier = request.app.state.verifier
    try:
        identity = verifier.decode(token)
    except tokens.InvalidToken as exc:
        raise _refuse(request, "The bearer token is invalid or expired.", str(exc), error="invalid_token") from exc
    except tokens.KeysUnavailable as exc:
        # The token may be good: its issuer's keys cannot be fetched now. Not the caller's failure (no rate limit).
        raise NotReady("The identity provider's signing keys cannot be fetched now; nothing was done.",
                       headers={"Retry-After": "5"}, audit_event="auth.failed",
                       audit_data={"problem": "issuer_unreachable"}) from exc
    user = _user_of(session, identity)
    if user is None:
        problem = "unknown_user" if identity.user_id is not None else "unlinked_identity"
        raise _refuse(request, "The token names no known user.", problem)
    if user.disabled_at is not None:
        # Read on every request, so a disable takes effect at once, also for tokens issued before it.
        raise _refuse(request, "This account is disabled.", "disabled_user", error="invalid_token", user_id=user.id)
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
