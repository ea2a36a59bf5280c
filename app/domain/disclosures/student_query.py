"""The gate's one query (ARCHITECTURE.md request flow, step 2): the student, their district, the cited declaration
and the names and sources of the student's fields, in one round trip, read as plain column views with their facts.

Why not the ORM: on PostgreSQL each extra round trip and building ORM objects for three rows cost more than the
decision itself. Why not even a Core result: for a 32-column row its result layer (the driver's column description,
result metadata, an execution context) cost more than the round trip. So SQLAlchemy compiles the statement once per
dialect and supplies each column's result conversion, and the row is read on the driver's cursor of the session's
own connection, inside its transaction. A driver error then reaches the error handler unwrapped (a 500, nothing
released) and a connection it broke is replaced at its next checkout (pool_pre_ping).

JSON columns are read as their text. Each table's slice of the row is then a tuple of plain values that says
everything about it, and its view and facts (and the district's configuration digest) are pure functions of that
tuple: they are memoised on it (lru_cache, thread-safe). A row that changed in any column is a new key; the shared
results are frozen facts and views the gate only reads (app/domain/rows.py protocols). A test checks that the
views and facts equal those of the ORM rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple, cast

from sqlalchemy import JSON, ColumnElement, Dialect, Table, Text, bindparam, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from app.db.artifacts import Emergency
from app.db.models import District, Student
from app.domain import facts_builder as fb
from app.domain.disclosures.config_version import district_config
from app.domain.rows import DistrictRow, EmergencyRow, StudentRow
from app.policy.facts import DistrictFacts, EmergencyFacts, StudentFacts
from app.records.base import RecordStore

_TABLES: tuple[Table, Table, Table] = (cast(Table, Student.__table__), cast(Table, District.__table__),
                                       cast(Table, Emergency.__table__))
_Convert = Callable[[Any], Any]


class Found(NamedTuple):
    student: StudentRow
    student_facts: StudentFacts
    district: DistrictRow
    district_facts: DistrictFacts
    district_config: str  # config_version's district part
    emergency: EmergencyRow | None  # None when none was cited or the cited id does not exist
    emergency_facts: EmergencyFacts | None
    field_sources: dict[str, str]


class _Part:
    """One table's slice of the row: where it sits, its column keys and how each raw value becomes the attribute
    (JSON text parsed, other types through SQLAlchemy's result processor). One per compiled statement, hashed by
    identity, so it can key the memoised builders below."""

    __slots__ = ("converters", "keys", "start", "stop")

    def __init__(self, start: int, keys: tuple[str, ...], converters: tuple[_Convert | None, ...]) -> None:
        self.start, self.stop, self.keys, self.converters = start, start + len(keys), keys, converters

    def raw(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return row[self.start:self.stop]

    def view(self, raw: tuple[Any, ...]) -> SimpleNamespace:
        return SimpleNamespace(**{key: convert(value) if convert is not None and value is not None else value
                                  for key, convert, value in zip(self.keys, self.converters, raw, strict=True)})


class _Statement(NamedTuple):
    sql: str
    params: tuple[str, ...] | None  # bind names in order for a positional driver (SQLite); None for named ones
    student: _Part
    district: _Part
    emergency: _Part
    sources_at: int | None  # the position of the field sources' JSON text; None when the store has no such column


def _as_read(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return sql_cast(column, Text) if isinstance(column.type, JSON) else column


def _converter(column: ColumnElement[Any], dialect: Dialect) -> _Convert | None:
    if isinstance(column.type, JSON):
        return cast(_Convert, json.loads)
    return cast(_Convert | None, column.type.dialect_impl(dialect).result_processor(dialect, None))


@lru_cache(maxsize=8)
def _statement(store: RecordStore, dialect: Dialect) -> _Statement:
    """Compiled once per store and dialect."""
    students, districts, emergencies = _TABLES
    sources = store.field_sources_column(students.c.id)
    columns = [*students.c, *districts.c, *emergencies.c]
    stmt = (select(*(_as_read(c) for c in columns), *([sql_cast(sources, Text)] if sources is not None else []))
            .select_from(students).join(districts, districts.c.id == students.c.district_id)
            .outerjoin(emergencies, emergencies.c.id == bindparam("emergency_id"))
            .where(students.c.id == bindparam("student_id")))
    compiled = stmt.compile(dialect=dialect)
    starts = (0, len(students.c), len(students.c) + len(districts.c))
    student, district, emergency = (_Part(start, tuple(c.key for c in t.c), tuple(_converter(c, dialect) for c in t.c))
                                    for start, t in zip(starts, _TABLES, strict=True))
    params = tuple(compiled.positiontup) if compiled.positiontup is not None else None
    return _Statement(str(compiled), params, student, district, emergency,
                      emergency.stop if sources is not None else None)


def _execute(session: Session, statement: _Statement, bound: dict[str, Any]) -> tuple[Any, ...] | None:
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(statement.sql, [bound[name] for name in statement.params]
                       if statement.params is not None else bound)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row
    finally:
        cursor.close()


def find(session: Session, store: RecordStore, student_id: str, emergency_id: str | None) -> Found | None:
    # A read on the driver's cursor does not autoflush: let it see what this transaction changed (a declaration
    # renewed or ended before waiting requests are re-decided).
    session.flush()
    statement = _statement(store, session.get_bind().dialect)
    row = _execute(session, statement, {"student_id": student_id, "emergency_id": emergency_id})
    if row is None:
        return None
    if statement.sources_at is not None:
        student, student_facts, sources = _student(statement.student, statement.student.raw(row),
                                                   row[statement.sources_at])
    else:
        sources = store.field_names(session, student_id)
        student, student_facts = _student_of(statement.student.view(statement.student.raw(row)), sources)
    district, district_facts, config = _district(statement.district, statement.district.raw(row))
    emergency, emergency_facts = _emergency(statement.emergency, statement.emergency.raw(row))
    return Found(student, student_facts, district, district_facts, config, emergency, emergency_facts, sources)


def _student_of(view: SimpleNamespace, sources: dict[str, str]) -> tuple[StudentRow, StudentFacts]:
    student = cast(StudentRow, view)
    # Parent links matter only when a consent is recorded (assess_consent), never to decide(): not loaded here.
    return student, fb.student_facts(student, sources, [])


@lru_cache(maxsize=1024)
def _student(part: _Part, raw: tuple[Any, ...],
             sources_json: str | None) -> tuple[StudentRow, StudentFacts, dict[str, str]]:
    sources: dict[str, str] = json.loads(sources_json) if sources_json else {}  # no fields: NULL on PostgreSQL
    return (*_student_of(part.view(raw), sources), sources)


@lru_cache(maxsize=64)
def _district(part: _Part, raw: tuple[Any, ...]) -> tuple[DistrictRow, DistrictFacts, str]:
    district = cast(DistrictRow, part.view(raw))
    return district, fb.district_facts(district), district_config(district)


@lru_cache(maxsize=256)
def _emergency(part: _Part, raw: tuple[Any, ...]) -> tuple[EmergencyRow | None, EmergencyFacts | None]:
    view = part.view(raw)
    if view.id is None:  # the outer join found no declaration
        return None, None
    emergency = cast(EmergencyRow, view)
    return emergency, fb.emergency_facts(emergency)
