"""PUT semantics for client-named resources: fetch the row by id or add a new one."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from app.db.base import Base

RowT = TypeVar("RowT", bound=Base)


def get_or_add(session: Session, model: type[RowT], row_id: str) -> tuple[RowT, bool]:
    """The row with this id, and whether it was created now (201) rather than updated (200)."""
    row = session.get(model, row_id)
    if row is not None:
        return row, False
    row = model(id=row_id)
    session.add(row)
    return row, True
