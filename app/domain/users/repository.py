"""SQL for accounts and their external identities. Every read of users takes the caller's DistrictScope (the
district wall); repositories never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, delete, select
from sqlalchemy.orm import Session, undefer

from app.db.identities import UserIdentity
from app.db.models import User
from app.domain import walled
from app.domain.access import DistrictScope


def user_in(session: Session, scope: DistrictScope, user_id: str) -> User | None:
    """The user if the scope admits its district; another district's user is None, like a missing one."""
    return walled.get_in(session, scope, User, user_id)


def list_users(session: Session, scope: DistrictScope, *, role: str | None, school_id: str | None,
               district_id: str | None, after: str | None, limit: int) -> list[User]:
    """Users by id, after the cursor. A scoped caller reads its own district only (a filter naming another
    district finds nothing). The school filter is a portable text prefilter on the JSON list (the quotes make it
    match whole ids), checked exactly in Python."""
    query = select(User).options(undefer(User.disabled_at)).order_by(User.id)
    if not scope.everywhere:
        query = query.where(User.district_id == scope.district_id)
    if district_id is not None:
        query = query.where(User.district_id == district_id)
    if role is not None:
        query = query.where(User.role == role)
    if school_id is not None:
        query = query.where(cast(User.school_ids, String).contains(f'"{school_id}"'))
    if after is not None:
        query = query.where(User.id > after)
    found: list[User] = []
    # Over-read a little: the school prefilter may match a few rows the exact check drops.
    for user in session.scalars(query.limit(limit * 2 + 1)):
        if school_id is None or school_id in (user.school_ids or []):
            found.append(user)
        if len(found) > limit:
            break
    return found


def identities_of(session: Session, user_ids: Sequence[str]) -> dict[str, list[UserIdentity]]:
    out: dict[str, list[UserIdentity]] = {uid: [] for uid in user_ids}
    for start in range(0, len(user_ids), 500):
        chunk = list(user_ids[start:start + 500])
        for row in session.scalars(select(UserIdentity).where(UserIdentity.user_id.in_(chunk))
                                   .order_by(UserIdentity.issuer, UserIdentity.subject)):
            out[row.user_id].append(row)
    return out


def identity(session: Session, issuer: str, subject: str) -> UserIdentity | None:
    return session.get(UserIdentity, (issuer, subject))


def user_by_identity(session: Session, issuer: str, subject: str) -> User | None:
    """The user an (issuer, claim value) is linked to; the only way a trusted issuer's token names a user."""
    return session.scalar(select(User).options(undefer(User.disabled_at))
                          .join(UserIdentity, UserIdentity.user_id == User.id)
                          .where(UserIdentity.issuer == issuer, UserIdentity.subject == subject))


def replace_identities(session: Session, user_id: str, pairs: Sequence[tuple[str, str]], now: datetime) -> None:
    session.execute(delete(UserIdentity).where(UserIdentity.user_id == user_id))
    session.flush()
    for issuer, subject in pairs:
        session.add(UserIdentity(issuer=issuer, subject=subject, user_id=user_id, created_at=now))
    session.flush()


def add_identity(session: Session, user_id: str, issuer: str, subject: str, now: datetime) -> None:
    session.add(UserIdentity(issuer=issuer, subject=subject, user_id=user_id, created_at=now))
    session.flush()


def remove_identity(session: Session, row: UserIdentity) -> None:
    session.delete(row)
    session.flush()
