"""A OneRoster bundle, checked and mapped to Gatekeeper's shapes before anything touches the database.

sourcedIds become Gatekeeper ids unchanged. One bundle is one district: a `district` org must be the one named by
`--district`; schools hang under it. Students become student records; `parent` and `guardian` users become parent
accounts linked to their children through `agentSourcedIds` (either direction). Staff and relatives are not imported:
their roles and rights are the district's to assign, not the SIS export's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
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
    children: list[str] = field(default_factory=list)


@dataclass
class Bundle:
    version: str
    schools: dict[str, SchoolRec]
    students: dict[str, StudentRec]
    parents: dict[str, ParentRec]
    has_demographics: bool


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
                progress: Progress | None = None) -> Bundle:
    """Read and check every file. `known_schools` are this district's schools already in the database, so a delta
    bundle may refer to them without repeating orgs.csv."""
    if not directory.is_dir():
        raise BundleError(str(directory), "not a directory")
    manifest = read_manifest(directory)
    tables = _tables(directory, manifest.version, manifest.files)
    orgs, users = tables["orgs"], tables["users"]
    assert orgs is not None and users is not None
    schools = _schools(orgs, district_id)
    school_ids = set(schools) | set(known_schools)
    org_ids = {r.get("sourcedId") for r in orgs.rows} | {district_id} | school_ids
    rows = {r.get("sourcedId"): r for r in users.rows}
    roles = _roles(tables["roles"], rows, org_ids) if tables["roles"] else {}
    enrolled_at = _enrollments(tables["enrollments"], rows, org_ids, school_ids)
    students: dict[str, StudentRec] = {}
    parents: dict[str, ParentRec] = {}
    for done, row in enumerate(users.rows, 1):
        if progress and done % 1000 == 0:
            progress("reading users", done, len(users.rows))
        user_id = row.get("sourcedId")
        user_roles = roles.get(user_id, [])
        role = user_roles[0][0] if user_roles else row.get("role")
        for agent in f.split_ids(row, "agentSourcedIds"):
            if agent not in rows:
                raise row.error("agentSourcedIds", "refers to a user that is not in users.csv")
        if role == "student":
            _check_id(row, "sourcedId", user_id)
            role_orgs = [org for r, org in user_roles if r == "student"]
            school = _school_of(row, role_orgs, enrolled_at.get(user_id), school_ids, org_ids)
            students[user_id] = StudentRec(user_id, row, school, row.get("status") != DELETED, f.grade(row),
                                           f.user_fields(row))
        elif role in PARENT_ROLES and row.get("status") != DELETED:
            _check_id(row, "sourcedId", user_id)
            name = f.full_name(row)
            if not name:
                raise row.error("givenName", "a parent needs a givenName or familyName")
            parents[user_id] = ParentRec(user_id, row, name, PARENT_ROLES[role])
    _link(students, parents)
    if tables["demographics"] is not None:
        _demographics(tables["demographics"], students, rows)
    return Bundle(manifest.version, schools, students, parents, tables["demographics"] is not None)


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


def _roles(table: Table, users: dict[str, Row], org_ids: set[str]) -> dict[str, list[tuple[str, str]]]:
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


def _enrollments(table: Table | None, users: dict[str, Row], org_ids: set[str],
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


def _link(students: dict[str, StudentRec], parents: dict[str, ParentRec]) -> None:
    """agentSourcedIds may be filled on the student's row, the parent's row, or both."""
    links: set[tuple[str, str]] = set()
    for student in students.values():
        links.update((p, student.id) for p in f.split_ids(student.row, "agentSourcedIds") if p in parents)
    for parent in parents.values():
        links.update((parent.id, s) for s in f.split_ids(parent.row, "agentSourcedIds") if s in students)
    for parent_id, student_id in sorted(links):
        parents[parent_id].children.append(student_id)


def _demographics(table: Table, students: dict[str, StudentRec], users: dict[str, Row]) -> None:
    for row in table.rows:
        user_id = row.get("sourcedId")
        if user_id not in users:
            raise row.error("sourcedId", "refers to a user that is not in users.csv")
        born, extra = f.demographic_fields(row)
        student = students.get(user_id)
        if student is not None:
            student.date_of_birth = born
            student.fields.update(extra)
