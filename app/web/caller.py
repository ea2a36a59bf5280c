"""Who is signed in, CSRF on every form post, and refusals shown as pages or messages.

A page refused by a domain service is audited by the very handler the API uses (so `access.forbidden`,
`approval.rejected` and the rest are written exactly as for the API call), then shown as a page or as a message on
the page, never as problem+json.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Form, Request
from sqlalchemy.orm import undefer
from starlette.responses import RedirectResponse, Response

from app.api.deps import SessionDep
from app.auth.principal import Principal
from app.db.models import User
from app.domain.principals import principal_of
from app.errors import GatekeeperError
from app.web.render import in_language, render
from app.web.session import csrf_ok, pre_session, read_session, same_origin

T = TypeVar("T")
ApiHandler = Callable[[Request, GatekeeperError], Response]


class SignInRequired(Exception):
    """No valid session: the page answers with the sign-in page."""


class CsrfRefused(Exception):
    """A form post without this session's token, or from another origin."""


def web_key(request: Request) -> bytes:
    key: bytes = request.app.state.web_key
    return key


def page_caller(request: Request, session: SessionDep) -> Principal:
    """The signed-in person, read from the users table on every page (a disabled account is out at once)."""
    found = read_session(web_key(request), request)
    if found is None:
        raise SignInRequired
    user = session.get(User, found.user_id, options=[undefer(User.disabled_at)])
    if user is None or user.disabled_at is not None:
        raise SignInRequired
    principal = principal_of(user)
    request.state.principal = principal  # the refusal handlers audit it as the actor
    request.state.page = {"caller": principal, "csrf": found.csrf}
    return principal


PageCaller = Annotated[Principal, Depends(page_caller)]


def checked_csrf(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> None:
    """Refuse a post that does not carry the token of the session (or of the pre-sign-in cookie)."""
    found = read_session(web_key(request), request)
    expected = found.csrf if found is not None else (pre_session(web_key(request), request) or {}).get("c")
    if not same_origin(request) or not csrf_ok(expected, csrf_token):
        raise CsrfRefused


CsrfChecked = Depends(checked_csrf)


def attempt(request: Request, session: Any, action: Callable[[], T]) -> tuple[T | None, GatekeeperError | None]:
    """Run a domain service; a refusal rolls back the request's work, is audited by the API's handler, and comes
    back as the refusal to show (its detail and status)."""
    try:
        return action(), None
    except GatekeeperError as exc:
        session.rollback()
        api_handler: ApiHandler = request.app.state.web_api_error_handler
        api_handler(request, exc)
        return None, exc


def install_handlers(app: Any) -> None:
    api_handler: ApiHandler = app.exception_handlers[GatekeeperError]
    app.state.web_api_error_handler = api_handler

    def on_error(request: Request, exc: GatekeeperError) -> Response:
        answer = api_handler(request, exc)  # audits as for the API
        if request.url.path.startswith("/api/") or not getattr(request.state, "is_page", False):
            return answer
        return render(request, "error.html", status_code=exc.status, status=exc.status,
                      detail=in_language(request, exc.detail))

    def on_sign_in(_request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse("/signin", status_code=303)

    def on_csrf(request: Request, _exc: CsrfRefused) -> Response:
        return render(request, "error.html", status_code=403, status=403, detail=in_language(
            request, "The form was out of date or came from another site. Nothing was done; try again."))

    app.add_exception_handler(GatekeeperError, on_error)
    app.add_exception_handler(SignInRequired, on_sign_in)
    app.add_exception_handler(CsrfRefused, on_csrf)
