"""SQL for districts, schools and users. Repositories never commit."""

from __future__ import annotations

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from app.db.models import District, School, User
from app.domain import walled
from app.domain.access import DistrictScope


def district_in(session: Session, scope: DistrictScope, district_id: str) -> District | None:
    """The district, if the scope admits it; None for a missing one and for one behind the wall alike."""
    district = session.get(District, district_id)
    return district if district is not None and scope.admits(district.id) else None


def school_in(session: Session, scope: DistrictScope, school_id: str) -> School | None:
    return walled.get_in(session, scope, School, school_id)


def party_in(session: Session, scope: DistrictScope, user_id: str) -> User | None:
    """A party a caller may name (requester, recipient): a user of the scope's district or of no district (a state
    agency's account). A user of another district is None, like an unknown one."""
    user = session.get(User, user_id)
    return user if user is not None and (user.district_id is None or scope.admits(user.district_id)) else None


def only_district_id(session: Session) -> str | None:
    """The district id when exactly one is configured (the default for users)."""
    ids = session.scalars(select(District.id).limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def count_districts(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(District)) or 0)


def get_user(session: Session, user_id: str) -> User | None:
    return session.get(User, user_id)


def users_by_ids(session: Session, user_ids: set[str]) -> dict[str, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}


def parents_of(session: Session, student_id: str) -> list[User]:
    """Parent and student accounts linked to a student. The SQL text match on the JSON lists is a portable
    prefilter (the quotes make it match whole ids); membership is then checked exactly in Python."""
    needle = f'"{student_id}"'
    candidates = session.scalars(select(User).where(
        User.role.in_(("parent", "student")),
        or_(cast(User.student_ids, String).contains(needle), cast(User.children, String).contains(needle)))).all()
    return [u for u in candidates if student_id in (u.student_ids or [])
            or any(c.get("student_id") == student_id for c in (u.children or []))]
