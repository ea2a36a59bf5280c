"""The admin's overview: the district's configuration at a glance, its users with disable and enable, and the
policy version in force. Disabling and enabling call the accounts service the API uses (audited user.disabled and
user.enabled); the district wall is the service's."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from app.api.deps import SessionDep, require_roles
from app.domain.common import Id
from app.domain.districts.overview import overview
from app.domain.users import service as users
from app.web.caller import CsrfChecked, PageCaller
from app.web.home import mark_page
from app.web.render import render
from app.web.words import N_

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])


@router.get("/admin")
def admin_page(request: Request, caller: PageCaller, session: SessionDep, done: str = "") -> Response:
    admin = require_roles("admin")(request, caller)
    page = users.list_users(session, admin, limit=500)
    return render(request, "admin.html", districts=overview(session, admin), users=page.users,
                  policy_version=request.app.state.policy_version,
                  message={"disabled": N_("The account was disabled."),
                           "enabled": N_("The account was enabled.")}.get(done))


@router.post("/admin/users/{user_id}/disable", dependencies=[CsrfChecked])
def disable_page(request: Request, user_id: Id, caller: PageCaller, session: SessionDep) -> Response:
    users.disable(session, require_roles("admin")(request, caller), user_id)
    return RedirectResponse("/admin?done=disabled#users", status_code=303)


@router.post("/admin/users/{user_id}/enable", dependencies=[CsrfChecked])
def enable_page(request: Request, user_id: Id, caller: PageCaller, session: SessionDep) -> Response:
    users.enable(session, require_roles("admin")(request, caller), user_id)
    return RedirectResponse("/admin?done=enabled#users", status_code=303)
