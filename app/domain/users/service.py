"""Accounts (issue 15): list and read users, switch them off and on, and keep their external identities.

The district wall: a caller with a district sees and changes only its district's users; another district's user
(and a user of no district, the platform's own accounts) answers like a missing one, 404. Disabling keeps the row:
the user's requests, approvals and audit entries keep naming it, and the history reads as before; only new requests
are refused, on every route at once (app/api/deps.py reads disabled_at on each request, whatever token is shown).
Audited as user.disabled / user.enabled (ids only), in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app import clock
from app.audit.service import append
from app.auth.principal import Principal
from app.db.models import User
from app.domain import access
from app.domain.access import DistrictScope
from app.domain.users import repository as repo
from app.domain.users.schemas import ChildRead, IdentityIn, IdentityRead, UserPage, UserRead
from app.errors import Conflict, NotFound, Unprocessable

MAX_LIMIT = 1000


def view(user: User, identities: Sequence[tuple[str, str]] = ()) -> UserRead:
    return UserRead(
        id=user.id, name=user.name, role=user.role, title=user.title, affiliation=user.affiliation,
        agency_type=user.agency_type, district_id=user.district_id, school_ids=list(user.school_ids or []),
        sro_certified_until=user.sro_certified_until, mou_contact=bool(user.mou_contact),
        declared_relationships=list(user.declared_relationships or []), student_ids=list(user.student_ids or []),
        children=[ChildRead(student_id=c["student_id"], relationship=c.get("relationship", "parent"),
                            rights_limited=bool(c.get("rights_limited", False))) for c in user.children or []],
        disabled=user.disabled_at is not None, disabled_at=user.disabled_at,
        identities=[IdentityRead(issuer=i, subject=s) for i, s in identities])


def list_users(session: Session, caller: Principal, *, role: str | None = None, school_id: str | None = None,
               district_id: str | None = None, cursor: str | None = None, limit: int = 100) -> UserPage:
    return list_in(session, access.scope_of(caller), role=role, school_id=school_id, district_id=district_id,
                   cursor=cursor, limit=limit)


def list_in(session: Session, scope: DistrictScope, *, role: str | None = None, school_id: str | None = None,
            district_id: str | None = None, cursor: str | None = None, limit: int = 100) -> UserPage:
    limit = max(1, min(limit, MAX_LIMIT))
    rows = repo.list_users(session, scope, role=role, school_id=school_id, district_id=district_id, after=cursor,
                           limit=limit)
    page, more = rows[:limit], len(rows) > limit
    identities = repo.identities_of(session, [u.id for u in page])
    return UserPage(users=[view(u, [(i.issuer, i.subject) for i in identities[u.id]]) for u in page],
                    next_cursor=page[-1].id if more else None)


def get_user(session: Session, caller: Principal, user_id: str) -> UserRead:
    return get_in(session, access.scope_of(caller), user_id)


def get_in(session: Session, scope: DistrictScope, user_id: str) -> UserRead:
    user = _user(session, scope, user_id)
    return view(user, [(i.issuer, i.subject) for i in repo.identities_of(session, [user.id])[user.id]])


def _user(session: Session, scope: DistrictScope, user_id: str) -> User:
    user = repo.user_in(session, scope, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def set_disabled(session: Session, actor_id: str, scope: DistrictScope, user_id: str, disabled: bool) -> UserRead:
    """Disable or enable; doing it again changes nothing and appends nothing (idempotent)."""
    user = _user(session, scope, user_id)
    if user.id == actor_id and disabled:
        raise Conflict("You may not disable your own account.")
    if (user.disabled_at is not None) != disabled:
        user.disabled_at = clock.now() if disabled else None
        session.flush()
        append(session, "user.disabled" if disabled else "user.enabled", actor_id=actor_id,
               district_id=user.district_id, data={"entity": "user", "id": user.id, "role": user.role})
    return get_in(session, scope, user_id)


def disable(session: Session, caller: Principal, user_id: str) -> UserRead:
    return set_disabled(session, caller.id, access.scope_of(caller), user_id, True)


def enable(session: Session, caller: Principal, user_id: str) -> UserRead:
    return set_disabled(session, caller.id, access.scope_of(caller), user_id, False)


def replace_identities(session: Session, user: User, identities: Sequence[IdentityIn], loc: str = "identities"
                       ) -> bool:
    """Make `identities` the user's whole set; 422 if one is linked to another user. True when something changed.
    The caller audits (config.changed of the user names the issuers, never the claim values: an email may be a
    student's directory information)."""
    wanted = list(dict.fromkeys((i.issuer, i.subject) for i in identities))
    for index, (issuer, subject) in enumerate(wanted):
        held = repo.identity(session, issuer, subject)
        if held is not None and held.user_id != user.id:
            raise Unprocessable.at([loc, index], "this identity is linked to another user")
    current = [(i.issuer, i.subject) for i in repo.identities_of(session, [user.id])[user.id]]
    if sorted(current) == sorted(wanted):
        return False
    repo.replace_identities(session, user.id, wanted, clock.now())
    return True


def link(session: Session, actor_id: str, scope: DistrictScope, user_id: str, issuer: str, subject: str,
         *, unlink: bool = False) -> UserRead:
    """Add (or remove) one identity of a user (`gatekeeper user link`). Audited as config.changed."""
    user = _user(session, scope, user_id)
    IdentityIn(issuer=issuer, subject=subject)  # the same checks as the API body
    held = repo.identity(session, issuer, subject)
    if unlink:
        if held is None or held.user_id != user.id:
            raise NotFound("No such identity for this user.")
        repo.remove_identity(session, held)
    elif held is not None:
        if held.user_id != user.id:
            raise Conflict("This identity is linked to another user.")
        return get_in(session, scope, user_id)
    else:
        repo.add_identity(session, user.id, issuer, subject, clock.now())
    append(session, "config.changed", actor_id=actor_id, district_id=user.district_id,
           data={"entity": "user_identity", "id": user.id, "issuers": [issuer], "removed": unlink})
    return get_in(session, scope, user_id)
