"""The gate's one query (ARCHITECTURE.md request flow, step 2): the student, their district, the cited declaration
and the names and sources of the student's fields, in one round trip, read as plain column views.

Why not the ORM: on PostgreSQL each extra round trip and building ORM objects for three rows cost more than the
decision itself. The views carry exactly the tables' columns under their attribute names (app/domain/rows.py
protocols); a test checks that they yield the same facts as the ORM rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple, cast

from sqlalchemy import Dialect, Table, bindparam, select
from sqlalchemy.orm import Session

from app.db.artifacts import Emergency
from app.db.models import District, Student
from app.domain.rows import DistrictRow, EmergencyRow, StudentRow
from app.records.base import RecordStore

_TABLES: tuple[Table, Table, Table] = (cast(Table, Student.__table__), cast(Table, District.__table__),
                                       cast(Table, Emergency.__table__))


class Found(NamedTuple):
    student: StudentRow
    district: DistrictRow
    emergency: EmergencyRow | None  # None when none was cited or the cited id does not exist
    field_sources: dict[str, str]


class _Statement(NamedTuple):
    sql: str
    params: tuple[str, ...] | None  # bind names in order for a positional driver (SQLite); None for named ones
    processors: tuple[Callable[[Any], Any] | None, ...]  # each column's type conversion, as SQLAlchemy does it
    keys: tuple[tuple[str, ...], ...]  # column keys of the student, district and emergency, in select order
    reads_sources: bool


@lru_cache(maxsize=8)
def _statement(store: RecordStore, dialect: Dialect) -> _Statement:
    """Compiled once per store and dialect, with the result conversions of each column's SQLAlchemy type."""
    students, districts, emergencies = _TABLES
    sources = store.field_sources_column(students.c.id)
    columns = [*students.c, *districts.c, *emergencies.c, *([sources] if sources is not None else [])]
    stmt = (select(*columns).select_from(students).join(districts, districts.c.id == students.c.district_id)
            .outerjoin(emergencies, emergencies.c.id == bindparam("emergency_id"))
            .where(students.c.id == bindparam("student_id")))
    compiled = stmt.compile(dialect=dialect)
    processors = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
    params = tuple(compiled.positiontup) if compiled.positiontup is not None else None
    return _Statement(str(compiled), params, processors, tuple(tuple(c.key for c in t.c) for t in _TABLES),
                      sources is not None)


def _execute(session: Session, statement: _Statement, bound: dict[str, Any]) -> tuple[Any, ...] | None:
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        args = [bound[name] for name in statement.params] if statement.params is not None else bound
        cursor.execute(statement.sql, args)
        raw = cursor.fetchone()
    finally:
        cursor.close()
    if raw is None:
        return None
    return tuple(p(v) if p is not None else v for p, v in zip(statement.processors, raw, strict=True))


def find(session: Session, store: RecordStore, student_id: str, emergency_id: str | None) -> Found | None:
    session.flush()
    statement = _statement(store, session.get_bind().dialect)
    row = _execute(session, statement, {"student_id": student_id, "emergency_id": emergency_id})
    if row is None:
        return None
    student_keys, district_keys, emergency_keys = statement.keys
    at_district, at_emergency = len(student_keys), len(student_keys) + len(district_keys)
    at_sources = at_emergency + len(emergency_keys)
    emergency = _view(row, emergency_keys, at_emergency)
    if statement.reads_sources:
        sources: dict[str, str] = row[at_sources] or {}  # PostgreSQL's aggregate of no rows is NULL
    else:
        sources = store.field_names(session, student_id)
    student, district = _view(row, student_keys, 0), _view(row, district_keys, at_district)
    return Found(cast(StudentRow, student), cast(DistrictRow, district),
                 cast(EmergencyRow, emergency) if emergency.id is not None else None, sources)


def _view(row: tuple[Any, ...], keys: tuple[str, ...], start: int) -> SimpleNamespace:
    return SimpleNamespace(**dict(zip(keys, row[start:start + len(keys)], strict=True)))
