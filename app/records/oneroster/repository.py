"""The SQL of ending what a roster no longer holds: the district's students and guardians, read as plain rows.

Every query here takes the district: a roster is one district's, and nothing here may read or end another's.
Plain rows, not ORM objects: the bulk UPDATEs would leave loaded objects stale in the session. Never commits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.db.models import District, Student, User

USER_COLUMNS = (User.id, User.role, User.district_id, User.name, User.children, User.student_ids)


def district_timezone(session: Session, district_id: str) -> str | None:
    return session.scalar(select(District.timezone).where(District.id == district_id))


def known_users(session: Session, district_id: str) -> dict[str, str]:
    """This district's students and parent accounts, id -> "student" or "parent": what a delta file may refer to."""
    known = {row.id: "parent" for row in session.execute(
        select(User.id).where(User.district_id == district_id, User.role == "parent"))}
    known.update((row.id, "student") for row in session.execute(
        select(Student.id).where(Student.district_id == district_id)))
    return known


def student_states(session: Session, district_id: str) -> dict[str, bool]:
    """Every student of the district -> enrolled."""
    return {row.id: bool(row.enrolled) for row in session.execute(
        select(Student.id, Student.enrolled).where(Student.district_id == district_id))}


def end_students(session: Session, district_id: str, ids: Sequence[str], left_on: date, now: datetime) -> None:
    """enrolled = false and the day they left; the row, its fields and its history stay."""
    for start in range(0, len(ids), 500):
        session.execute(update(Student).where(Student.district_id == district_id,
                                              Student.id.in_(ids[start:start + 500]))
                        .values(enrolled=False, left_on=left_on, updated_at=now))


def guardian_rows(session: Session, district_id: str, also: Collection[str]) -> dict[str, dict[str, Any]]:
    """The district's parent accounts, plus the users with the `also` ids whatever they are (so a bundle id that
    is another district's user or a staff account is found and refused, never overwritten)."""
    rows = {u.id: u._asdict() for u in session.execute(
        select(*USER_COLUMNS).where(User.district_id == district_id, User.role == "parent"))}
    wanted = sorted(set(also) - set(rows))
    for start in range(0, len(wanted), 500):
        rows.update((u.id, u._asdict()) for u in session.execute(
            select(*USER_COLUMNS).where(User.id.in_(wanted[start:start + 500]))))
    return rows


def insert_users(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    for start in range(0, len(rows), 500):
        session.execute(insert(User), [dict(r) for r in rows[start:start + 500]])


def update_users(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    for start in range(0, len(rows), 500):
        session.execute(update(User), [dict(r) for r in rows[start:start + 500]])
