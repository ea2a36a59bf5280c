"""A OneRoster bundle, checked and mapped to Gatekeeper's shapes before anything touches the database.

sourcedIds become Gatekeeper ids unchanged. One bundle is one district: a `district` org must be the one named by
`--district`; schools hang under it. Students become student records; `parent` and `guardian` users become parent
accounts linked to their children through `agentSourcedIds` (either direction). Staff and relatives are not imported:
their roles and rights are the district's to assign, not the SIS export's.

The manifest's mode for users.csv decides what the bundle says about everyone it does not list. `bulk`: the file is
the district's whole roster, so students, guardians and links it no longer holds are ended (writer and ending.py).
`delta`: only the rows listed change; they may refer to students and guardians already imported for the district
(`known_users`), and a `tobedeleted` row ends its student or guardian. In either mode a `tobedeleted` row is never
created, only ended.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from app.domain.common import Id
from app.records.oneroster import fields as f
from app.records.oneroster.csvfiles import BundleError, Row, Table, read_manifest, read_table

_ID = TypeAdapter(Id)
PARENT_ROLES = {"parent": "parent", "guardian": "guardian"}
# OneRoster "status": bulk files leave it blank; delta files say active or tobedeleted.
DELETED = "tobedeleted"
Progress = Callable[[str, int, int], None]


@dataclass
class SchoolRec:
    id: str
    row: Row
    name: str


@dataclass
class StudentRec:
    id: str
    row: Row
    school_id: str
    enrolled: bool
    grade_level: str | None
    fields: dict[str, str]
    date_of_birth: date | None = None


@dataclass
class ParentRec:
    id: str
    row: Row
    name: str
    relationship: str


@dataclass
class Bundle:
    version: str
    schools: dict[str, SchoolRec]
    students: dict[str, StudentRec]
    parents: dict[str, ParentRec]
    has_demographics: bool
    # users.csv's manifest mode: "bulk" (the whole roster) or "delta" (only the rows listed).
    mode: str = "bulk"
    # tobedeleted rows: ended, never created.
    ended_students: set[str] = field(default_factory=set)
    ended_parents: set[str] = field(default_factory=set)
    # Students and guardians whose accounts the SIS switches off: tobedeleted, or enabledUser=false (accounts.py).
    disabled_students: set[str] = field(default_factory=set)
    disabled_parents: set[str] = field(default_factory=set)
    # Guardian -> the students the bundle links it to; in a delta either side may be a user already in the database.
    links: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_bulk(self) -> bool:
        return self.mode == "bulk"


def _check_id(row: Row, column: str, value: str) -> str:
    try:
        return _ID.validate_python(value)
    except ValidationError:
        raise row.error(column, "not a usable id (letters, digits and . _ : @ - only, at most 200)") from None


def _tables(directory: Path, version: str, modes: dict[str, str]) -> dict[str, Table | None]:
    required = {
        "orgs": ("sourcedId", "name", "type"),
        "users": ("sourcedId", "givenName", "familyName")
        + (("role", "orgSourcedIds") if version == "1.1" else ()),
        "roles": ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
        "demographics": ("sourcedId",),
        "enrollments": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    }
    must = {"orgs", "users"} | ({"roles"} if version == "1.2" else set())
    tables: dict[str, Table | None] = {}
    for stem, columns in required.items():
        path = directory / f"{stem}.csv"
        mode = modes.get(stem)
        if mode == "absent" or (mode is None and not path.is_file()):
            if stem in must:
                raise BundleError(f"{stem}.csv", f"OneRoster {version} needs {stem}.csv")
            tables[stem] = None
            continue
        if not path.is_file():
            raise BundleError(f"{stem}.csv", f"manifest.csv lists {stem}.csv as {mode} but the file is missing")
        tables[stem] = read_table(path, columns)
    return tables


def load_bundle(directory: Path, district_id: str, known_schools: Collection[str],
                progress: Progress | None = None, *, known_users: Mapping[str, str] | None = None) -> Bundle:
    """Read and check every file. `known_schools` are this district's schools already in the database, so a delta
    bundle may refer to them without repeating orgs.csv; `known_users` (id -> "student" or "parent") are this
    district's imported students and guardians, which a delta users.csv may refer to without repeating them. A bulk
    users.csv must hold everyone it refers to: it is the whole roster."""
    if not directory.is_dir():
        raise BundleError(str(directory), "not a directory")
    manifest = read_manifest(directory)
    tables = _tables(directory, manifest.version, manifest.files)
    orgs, users = tables["orgs"], tables["users"]
    assert orgs is not None and users is not None
    mode = "delta" if manifest.files.get("users") == "delta" else "bulk"
    known = dict(known_users or {}) if mode == "delta" else {}
    schools = _schools(orgs, district_id)
    school_ids = set(schools) | set(known_schools)
    org_ids = {r.get("sourcedId") for r in orgs.rows} | {district_id} | school_ids
    rows = {r.get("sourcedId"): r for r in users.rows}
    referable = set(rows) | set(known)
    roles = _roles(tables["roles"], referable, org_ids) if tables["roles"] else {}
    enrolled_at = _enrollments(tables["enrollments"], referable, org_ids, school_ids)
    bundle = Bundle(manifest.version, schools, {}, {}, tables["demographics"] is not None, mode)
    for done, row in enumerate(users.rows, 1):
        if progress and done % 1000 == 0:
            progress("reading users", done, len(users.rows))
        _read_user(bundle, row, roles, enrolled_at, school_ids, org_ids, referable, known)
    _link(bundle, known)
    if tables["demographics"] is not None:
        # Strict even in a delta: a demographics row for a student the file does not list would have nowhere to go.
        _demographics(tables["demographics"], bundle.students, set(rows))
    return bundle


def _read_user(bundle: Bundle, row: Row, roles: dict[str, list[tuple[str, str]]], enrolled_at: dict[str, str],
               school_ids: set[str], org_ids: set[str], referable: set[str], known: Mapping[str, str]) -> None:
    user_id = row.get("sourcedId")
    user_roles = roles.get(user_id, [])
    # A 1.2 tobedeleted row may come without its roles: the stored account says what it was.
    role = user_roles[0][0] if user_roles else row.get("role") or known.get(user_id, "")
    deleted = row.get("status") == DELETED
    switched_off = deleted or row.get("enabledUser").strip().lower() == "false"
    for agent in f.split_ids(row, "agentSourcedIds"):
        if agent not in referable:
            raise row.error("agentSourcedIds", "refers to a user that is not in users.csv" if not known else
                            "refers to a user that is neither in users.csv nor imported for this district")
    if role == "student":
        _check_id(row, "sourcedId", user_id)
        if switched_off:
            bundle.disabled_students.add(user_id)
        if deleted:
            bundle.ended_students.add(user_id)
            return
        role_orgs = [org for r, org in user_roles if r == "student"]
        school = _school_of(row, role_orgs, enrolled_at.get(user_id), school_ids, org_ids)
        bundle.students[user_id] = StudentRec(user_id, row, school, True, f.grade(row), f.user_fields(row))
    elif role in PARENT_ROLES:
        _check_id(row, "sourcedId", user_id)
        if switched_off:
            bundle.disabled_parents.add(user_id)
        if deleted:
            bundle.ended_parents.add(user_id)
            return
        name = f.full_name(row)
        if not name:
            raise row.error("givenName", "a parent needs a givenName or familyName")
        bundle.parents[user_id] = ParentRec(user_id, row, name, PARENT_ROLES[role])


def _schools(orgs: Table, district_id: str) -> dict[str, SchoolRec]:
    by_id = {r.get("sourcedId"): r for r in orgs.rows if r.get("status") != DELETED}
    for row in by_id.values():
        if row.get("type") == "district" and row.get("sourcedId") != district_id:
            raise row.error("sourcedId", "a district org other than --district (import one district per bundle)")
    schools: dict[str, SchoolRec] = {}
    for school_id, row in by_id.items():
        parent = row.get("parentSourcedId")
        if parent and parent not in by_id and parent != district_id:
            raise row.error("parentSourcedId", "refers to an org that is not in orgs.csv")
        if row.get("type") != "school":
            continue
        _check_id(row, "sourcedId", school_id)
        name = f.text(row, "name")
        if not name:
            raise row.error("name", "a value is required")
        schools[school_id] = SchoolRec(school_id, row, name)
    return schools


def _roles(table: Table, users: Collection[str], org_ids: set[str]) -> dict[str, list[tuple[str, str]]]:
    """1.2 roles.csv: user -> (role, org) pairs, the `primary` one first."""
    by_user: dict[str, list[tuple[bool, str, str]]] = {}
    for row in table.rows:
        user_id = row.get("userSourcedId")
        if user_id not in users:
            raise row.error("userSourcedId", "refers to a user that is not in users.csv")
        if row.get("orgSourcedId") not in org_ids:
            raise row.error("orgSourcedId", "refers to an org that is not in orgs.csv")
        f.parse_date(row, "beginDate")
        f.parse_date(row, "endDate")
        if row.get("status") != DELETED:
            by_user.setdefault(user_id, []).append(
                (row.get("roleType") != "primary", row.get("role"), row.get("orgSourcedId")))
    return {user: [(role, org) for _, role, org in sorted(entries, key=lambda e: e[0])]
            for user, entries in by_user.items()}


def _enrollments(table: Table | None, users: Collection[str], org_ids: set[str],
                 school_ids: set[str]) -> dict[str, str]:
    """Checks references and dates; returns each student's first enrolled school (a fallback for the school)."""
    first: dict[str, str] = {}
    for row in table.rows if table else []:
        user_id = row.get("userSourcedId")
        if user_id not in users:
            raise row.error("userSourcedId", "refers to a user that is not in users.csv")
        school = row.get("schoolSourcedId")
        if school not in org_ids:
            raise row.error("schoolSourcedId", "refers to an org that is not in orgs.csv")
        f.parse_date(row, "beginDate")
        f.parse_date(row, "endDate")
        if school in school_ids and row.get("status") != DELETED:
            first.setdefault(user_id, school)
    return first


def _school_of(row: Row, role_orgs: list[str], enrolled: str | None, school_ids: set[str],
               org_ids: set[str]) -> str:
    column = "orgSourcedIds" if "orgSourcedIds" in row.columns else "primaryOrgSourcedId"
    candidates = [row.get("primaryOrgSourcedId"), *f.split_ids(row, "orgSourcedIds"), *role_orgs]
    for org in candidates:
        if org and org not in org_ids:
            raise row.error(column, "refers to an org that is not in orgs.csv")
    for org in [*candidates, enrolled or ""]:
        if org and org in school_ids:
            return org
    raise row.error(column, "the student belongs to no school of this district")


def _link(bundle: Bundle, known: Mapping[str, str]) -> None:
    """agentSourcedIds may be filled on the student's row, the parent's row, or both; in a delta the other side may
    be a student or guardian already imported. A side the bundle ends is never linked."""
    def is_parent(user_id: str) -> bool:
        return user_id in bundle.parents or (known.get(user_id) == "parent" and user_id not in bundle.ended_parents
                                             and user_id not in bundle.students)

    def is_student(user_id: str) -> bool:
        return user_id in bundle.students or (known.get(user_id) == "student" and user_id not in bundle.ended_students
                                              and user_id not in bundle.parents)

    links: set[tuple[str, str]] = set()
    for student in bundle.students.values():
        links.update((p, student.id) for p in f.split_ids(student.row, "agentSourcedIds") if is_parent(p))
    for parent in bundle.parents.values():
        links.update((parent.id, s) for s in f.split_ids(parent.row, "agentSourcedIds") if is_student(s))
    for parent_id, student_id in sorted(links):
        bundle.links.setdefault(parent_id, []).append(student_id)


def _demographics(table: Table, students: dict[str, StudentRec], users: Collection[str]) -> None:
    for row in table.rows:
        user_id = row.get("sourcedId")
        if user_id not in users:
            raise row.error("sourcedId", "refers to a user that is not in users.csv")
        born, extra = f.demographic_fields(row)
        student = students.get(user_id)
        if student is not None:
            student.date_of_birth = born
            student.fields.update(extra)
