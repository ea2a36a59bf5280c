"""The landing page, sign-in (demo and OpenID Connect), sign-out and the language choice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from app.api.deps import SessionDep
from app.domain.access import EVERYWHERE
from app.domain.users import service as users
from app.errors import NotFound
from app.web import oidc_config
from app.web.caller import CsrfChecked, web_key
from app.web.render import LANGUAGES, render
from app.web.session import LANG_COOKIE, end_session, is_local, read_session, start_session


def mark_page(request: Request) -> None:
    request.state.is_page = True


router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])

HOMES = {
    "principal": "/queue", "designee": "/queue", "superintendent": "/queue", "counsel": "/queue",
    "chief": "/queue", "leu_supervisor": "/queue", "auditor": "/audit", "admin": "/admin",
    "parent": "/record", "student": "/record",
}
DEMO_LIST_LIMIT = 60


def home_of(role: str) -> str:
    return HOMES.get(role, "/my/requests")


@router.get("/")
def landing(request: Request, session: SessionDep) -> Response:
    from app.web.caller import SignInRequired, page_caller

    try:
        caller = page_caller(request, session)
    except SignInRequired:
        return render(request, "landing.html", providers=oidc_config.providers(request.app.state.settings),
                      demo=bool(request.app.state.settings.demo))
    return RedirectResponse(home_of(caller.role), status_code=303)


@router.get("/signin")
def signin_page(request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    if read_session(web_key(request), request) is not None:
        return RedirectResponse("/", status_code=303)
    people = users.list_in(session, EVERYWHERE, limit=DEMO_LIST_LIMIT).users if settings.demo else []
    return render(request, "signin.html", providers=oidc_config.providers(settings), demo=bool(settings.demo),
                  people=[u for u in people if not u.disabled])


@router.post("/signin/demo", dependencies=[CsrfChecked])
def demo_signin(request: Request, session: SessionDep,
                user_id: Annotated[str, Form(min_length=1, max_length=200)]) -> Response:
    """Demo mode only (`gatekeeper demo`): sign in as a listed user without a password. Everywhere else it does not
    exist (404), so a production service never has a way in that skips the district's identity provider."""
    if not request.app.state.settings.demo:
        raise NotFound("Not found.")
    user = users.get_in(session, EVERYWHERE, user_id)
    if user.disabled:
        raise NotFound("No such user.")
    response = RedirectResponse(home_of(user.role), status_code=303)
    start_session(web_key(request), request, response, user.id, "demo")
    return response


@router.post("/signout", dependencies=[CsrfChecked])
def signout(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    end_session(response)
    return response


@router.post("/language", dependencies=[CsrfChecked])
def choose_language(request: Request, lang: Annotated[str, Form(max_length=5)],
                    back: Annotated[str, Form(max_length=300)] = "/") -> Response:
    """The person's language, remembered for a year. `back` is a local path only (no open redirect)."""
    target = back if back.startswith("/") and not back.startswith("//") and "\\" not in back else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=not is_local(request), path="/")
    return response
