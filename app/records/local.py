"""The built-in record store: student_fields rows (name -> value, source)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import JSON, ColumnElement, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from app.db.models import StudentField

# Built once: on the gate's path, building and keying a statement costs as much as running it on SQLite.
_NAMES = select(StudentField.name, StudentField.source).where(StudentField.student_id == bindparam("student_id"))
_VALUES = select(StudentField.name, StudentField.value).where(
    StudentField.student_id == bindparam("student_id"), StudentField.name.in_(bindparam("names", expanding=True)))


class _JsonObjectAgg(FunctionElement[Any]):
    """An aggregate of (key, value) rows into one JSON object. SQL has no portable name for it."""

    type = JSON()
    inherit_cache = True


@compiles(_JsonObjectAgg, "postgresql")
def _json_object_agg(element: _JsonObjectAgg, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object_agg({compiler.process(element.clauses, **kw)})"


@compiles(_JsonObjectAgg, "sqlite")
def _json_group_object(element: _JsonObjectAgg, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_object({compiler.process(element.clauses, **kw)})"


class LocalRecordStore:
    def field_names(self, session: Session, student_id: str) -> dict[str, str]:
        # Core on the session's connection, skipping the ORM execution layer: read before anything of the request
        # is pending (the gate asks first), so there is nothing for an autoflush to write.
        rows = session.connection().execute(_NAMES, {"student_id": student_id})
        return {name: source for name, source in rows}

    def field_sources_column(self, student_id: ColumnElement[str]) -> ColumnElement[Any] | None:
        return (select(_JsonObjectAgg(StudentField.name, StudentField.source))
                .where(StudentField.student_id == student_id).scalar_subquery())

    def read(self, session: Session, student_id: str, names: Iterable[str]) -> Mapping[str, str]:
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        rows = session.execute(_VALUES, {"student_id": student_id, "names": wanted})
        return {name: value for name, value in rows}
