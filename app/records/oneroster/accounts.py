"""Accounts the SIS switches off (issue 15): a student or guardian row marked `tobedeleted`, or with
`enabledUser=false`, disables the matching Gatekeeper account of this district (a guardian's account by its
sourcedId; a student's account by its id or the student ids it is linked to). Disabling keeps the row and its
history (app/domain/users/service.py). The import only ever disables: turning an account back on is the district's
decision (POST /api/v1/users/{id}/enable), so a later `enabledUser=true` does not undo an admin's disable."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import String, cast, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import User

CHUNK = 500


def disable_accounts(session: Session, district_id: str, student_ids: Collection[str],
                     guardian_ids: Collection[str], now: datetime) -> list[str]:
    """Disable the district's enabled accounts of these students and guardians; the ids disabled, sorted."""
    students = sorted(set(student_ids))
    guardians = sorted(set(guardian_ids))
    found: set[str] = set()
    base = select(User.id, User.role, User.student_ids).where(User.district_id == district_id,
                                                             User.disabled_at.is_(None))
    for start in range(0, len(guardians), CHUNK):
        chunk = guardians[start:start + CHUNK]
        found.update(r.id for r in session.execute(base.where(User.role == "parent", User.id.in_(chunk))))
    wanted = set(students)
    for start in range(0, len(students), CHUNK):
        chunk = students[start:start + CHUNK]
        # The text match on the JSON list is a portable prefilter; membership is then checked exactly.
        linked = or_(User.id.in_(chunk), *(cast(User.student_ids, String).contains(f'"{s}"') for s in chunk))
        for row in session.execute(base.where(User.role == "student", linked)):
            if row.id in wanted or wanted.intersection(row.student_ids or []):
                found.add(row.id)
    ids = sorted(found)
    for start in range(0, len(ids), CHUNK):
        session.execute(update(User).where(User.id.in_(ids[start:start + CHUNK])).values(disabled_at=now))
    return ids
