"""The record of disclosures for a parent or an eligible student (34 CFR 99.32(c), 603 CMR 23.07; R-LOG-6/7/8), in
plain words and the person's language. The page is the API's record view for the same caller
(record.disclosure_record: sealed entries hidden, other students masked, audited as record.viewed)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from app.api.deps import SessionDep
from app.domain.access import scope_of
from app.domain.common import Id
from app.domain.disclosures import record
from app.domain.users import service as users
from app.web.caller import PageCaller
from app.web.home import mark_page
from app.web.render import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])


@router.get("/record")
def record_choice(request: Request, caller: PageCaller, session: SessionDep) -> Response:
    """The students whose record this person may read: a parent's children, a student's own record."""
    me = users.get_in(session, scope_of(caller), caller.id)
    students = list(dict.fromkeys([*(c.student_id for c in me.children if not c.rights_limited),
                                   *(me.student_ids if caller.role == "student" else [])]))
    if len(students) == 1:
        return RedirectResponse(f"/record/{students[0]}", status_code=303)
    return render(request, "record_choice.html", students=students)


@router.get("/record/{student_id}")
def record_page(request: Request, student_id: Id, caller: PageCaller, session: SessionDep) -> Response:
    found = record.disclosure_record(session, caller, student_id, None, None)
    entries = sorted(found["entries"], key=lambda e: e["at"], reverse=True)
    return render(request, "record.html", student_id=found["student_id"], entries=entries)
