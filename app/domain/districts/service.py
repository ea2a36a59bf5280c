"""District configuration, schools and users (API.md section 4). Every change is audited as config.changed.

The district wall: a caller with a district writes only inside it. Another district's configuration answers a
district admin like a district that does not exist and that it may not create: `404` (a district admin creates no
district). A body naming another district is the `422` "unknown district" of a missing one. A school or user id
that another district holds (or, for a user, that belongs to no district: the platform's own accounts) is `404`:
a PUT may neither move it across the wall nor rewrite it. A caller without a district (the CLI, the platform
admin) writes anywhere.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from app import clock
from app.audit.service import append
from app.auth.principal import Principal
from app.db.models import District, School, User
from app.db.upsert import get_or_add
from app.domain import access, walled
from app.domain.districts import repository as repo
from app.domain.districts.schemas import DistrictIn, SchoolIn, UserIn, jsonable
from app.domain.users import service as users
from app.errors import NotFound, Unprocessable
from app.policy.vocabulary import Vocabulary

# Roles that may belong to no district (the platform admin, a state auditor): they see every district.
PLATFORM_ROLES = frozenset({"admin", "auditor"})


def _check_district(body: DistrictIn, vocab: Vocabulary) -> None:
    try:
        ZoneInfo(body.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Unprocessable.at(["timezone"], "unknown IANA time zone") from exc
    for i, notice in enumerate(body.annual_notifications):
        if notice.ends_on < notice.starts_on:
            raise Unprocessable.at(["annual_notifications", i, "ends_on"], "ends before it starts")
        for purpose in notice.sro_purposes:
            if not vocab.has("purposes", purpose):
                raise Unprocessable.at(["annual_notifications", i, "sro_purposes"], f"unknown purpose {purpose}")
        for agency in notice.directory_recipients or []:
            if not vocab.has("agency_types", agency):
                raise Unprocessable.at(["annual_notifications", i, "directory_recipients"],
                                       f"unknown agency type {agency}")
    settings = body.settings
    if not vocab.has("consent_default_lapse", settings.consent_default_lapse):
        raise Unprocessable.at(["settings", "consent_default_lapse"], "unknown value")
    basis = settings.weapon_report_ferpa_basis
    if basis is not None and not vocab.has("ferpa_bases", basis):
        raise Unprocessable.at(["settings", "weapon_report_ferpa_basis"], "not a FERPA basis")


def put_district(session: Session, actor: Principal, district_id: str, body: DistrictIn,
                 vocab: Vocabulary) -> tuple[District, bool]:
    if not access.scope_of(actor).admits(district_id):
        raise NotFound("No such district.")
    _check_district(body, vocab)
    data = jsonable(body)
    district, created = get_or_add(session, District, district_id)
    before = _district_snapshot(district) if not created else {}
    district.name = body.name
    district.timezone = body.timezone
    district.mou_signed_on = body.mou.signed_on
    district.mou_withdrawn_on = body.mou.withdrawn_on
    district.mou_filed_with_dese = body.mou.filed_with_dese
    district.annual_notifications = data["annual_notifications"]
    district.home_language_duty = data["home_language_duty"]
    district.law_enforcement_units = data["law_enforcement_units"]
    district.calendar = data["calendar"]
    district.settings = data["settings"]
    district.updated_at = clock.now()
    after = _district_snapshot(district)
    changed = sorted(k for k in after if before.get(k) != after[k])
    session.flush()
    append(session, "config.changed", actor_id=actor.id, district_id=district_id,
           data={"entity": "district", "id": district_id, "created": created, "changed": changed})
    return district, created


def _district_snapshot(d: District) -> dict[str, Any]:
    return {"name": d.name, "timezone": d.timezone, "mou": [str(d.mou_signed_on), str(d.mou_withdrawn_on),
            d.mou_filed_with_dese], "annual_notifications": d.annual_notifications,
            "home_language_duty": d.home_language_duty, "law_enforcement_units": d.law_enforcement_units,
            "calendar": d.calendar, "settings": d.settings}


def put_school(session: Session, actor: Principal, school_id: str, body: SchoolIn) -> tuple[School, bool]:
    scope = access.scope_of(actor)
    if repo.district_in(session, scope, body.district_id) is None:
        raise Unprocessable.at(["district_id"], "unknown district")
    walled.refuse_behind_wall(session, scope, School, school_id, "school")
    school, created = get_or_add(session, School, school_id)
    school.district_id = body.district_id
    school.name = body.name
    school.grades = list(body.grades)
    session.flush()
    append(session, "config.changed", actor_id=actor.id, district_id=body.district_id,
           data={"entity": "school", "id": school_id, "created": created})
    return school, created


def put_user(session: Session, actor: Principal | None, user_id: str, body: UserIn,
             vocab: Vocabulary) -> tuple[User, bool]:
    if not vocab.has("roles", body.role):
        raise Unprocessable.at(["role"], f"unknown role {body.role}")
    agency = body.agency_type or vocab.default_agency(body.role)
    if not vocab.has("agency_types", agency):
        raise Unprocessable.at(["agency_type"], f"unknown agency type {agency}")
    scope = access.scope_of(actor) if actor is not None else access.EVERYWHERE
    stored = repo.get_user(session, user_id)
    walled.refuse_behind_wall(session, scope, User, user_id, "user")
    # Without district_id: a district admin's own district; an update keeps the user's district (an omission never
    # widens an account to every district); else the district, when only one is configured.
    district_id = (body.district_id or scope.district_id or (stored.district_id if stored else None)
                   or repo.only_district_id(session))
    if district_id is not None and repo.district_in(session, scope, district_id) is None:
        raise Unprocessable.at(["district_id"], "unknown district")
    if district_id is None and actor is not None and body.role not in PLATFORM_ROLES and repo.count_districts(session):
        raise Unprocessable.at(["district_id"], "required: only an admin or auditor may belong to no district, "
                               "and such a user sees every district")
    user, created = get_or_add(session, User, user_id)
    children = [c.model_dump() for c in body.children]
    student_ids = list(dict.fromkeys([*body.student_ids, *(c["student_id"] for c in children)]))
    user.name, user.role, user.title, user.affiliation = body.name, body.role, body.title, body.affiliation
    user.agency_type, user.district_id = agency, district_id
    user.school_ids = list(body.school_ids)
    user.sro_certified_until = body.sro_certified_until
    user.mou_contact = body.mou_contact
    user.declared_relationships = list(body.declared_relationships)
    user.student_ids = student_ids
    user.children = children
    session.flush()
    data: dict[str, Any] = {"entity": "user", "id": user_id, "created": created, "role": body.role}
    if body.identities is not None and users.replace_identities(session, user, body.identities):
        # The issuers, never the claim values (an email may be a student's directory information).
        data["identity_issuers"] = sorted({i.issuer for i in body.identities})
    append(session, "config.changed", actor_id=actor.id if actor else "cli", district_id=district_id, data=data)
    return user, created

