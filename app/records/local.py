"""The built-in record store: student_fields rows (name -> value, source) in the service's own database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import StudentField


class LocalRecordStore:
    """Opened per request on the request's session, so it reads what the request's transaction sees."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def field_names(self, student_id: str) -> dict[str, str]:
        rows = self._session.execute(select(StudentField.name, StudentField.source)
                                     .where(StudentField.student_id == student_id))
        return {name: source for name, source in rows}

    def read(self, student_id: str, names: Iterable[str]) -> Mapping[str, str]:
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        rows = self._session.execute(select(StudentField.name, StudentField.value).where(
            StudentField.student_id == student_id, StudentField.name.in_(wanted)))
        return {name: value for name, value in rows}
