"""PUT semantics for client-named resources: fetch the row by id or add a new one."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.base import Base

RowT = TypeVar("RowT", bound=Base)


def get_or_add(session: Session, model: type[RowT], row_id: str) -> tuple[RowT, bool]:
    """The row with this id, and whether it was created now (201) rather than updated (200).

    Two PUTs creating one id at once would both find no row and the second would fail on the duplicate key at its
    flush (a 500). On PostgreSQL a transaction-scoped advisory lock on (table, id) makes the second wait for the
    first's commit, after which it finds the row and updates it (200). SQLite's writer lock, held from BEGIN,
    already orders them."""
    _lock_id(session, model, row_id)
    row = session.get(model, row_id)
    if row is not None:
        return row, False
    row = model(id=row_id)
    session.add(row)
    return row, True


def _lock_id(session: Session, model: type[RowT], row_id: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                        {"key": f"{model.__tablename__}:{row_id}"})


def get_or_insert(session: Session, model: type[RowT], row_id: str, **values: Any) -> tuple[RowT, bool]:
    """The row with this id, locked until the transaction ends, and whether this call inserted it (with `values`).

    The trap: two PUTs creating one id at once both find no row, and the second INSERT waits on the first's primary
    key, then fails on the duplicate. Here the loser's INSERT is undone to a savepoint and it locks and returns the
    row the winner committed, so it goes on as an update (200), never a 500. The lock also orders two PUTs of an
    existing row, so their child rows (a student's fields) are replaced one after the other. (On SQLite every
    transaction holds the writer lock from BEGIN, so the race never starts there.)
    """
    row = session.get(model, row_id, with_for_update=True)
    if row is not None:
        return row, False
    row = model(id=row_id, **values)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        winner = session.get(model, row_id, with_for_update=True, populate_existing=True)
        if winner is None:  # not the duplicate key: a missing parent row or another constraint
            raise
        return winner, False
    return row, True
