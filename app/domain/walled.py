"""The district wall's one read: a row of district-owned data by id, only when the caller's scope admits it."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from app.domain.access import DistrictScope
from app.errors import NotFound


class DistrictOwned(Protocol):
    @property
    def district_id(self) -> str | None: ...


RowT = TypeVar("RowT", bound=DistrictOwned)


def get_in(session: Session, scope: DistrictScope, model: type[RowT], row_id: str) -> RowT | None:
    """The row, if the scope admits its district; None for a missing row and for one behind the wall alike, so the
    answer never tells the caller that another district holds the id."""
    row = session.get(model, row_id)
    return row if row is not None and scope.admits(row.district_id) else None


def refuse_behind_wall(session: Session, scope: DistrictScope, model: type[RowT], row_id: str, noun: str) -> None:
    """A PUT of a client-named id that another district holds: it may be neither taken over nor rewritten, and the
    answer is the 404 of a missing one (a new id is created; only this id is refused)."""
    row = session.get(model, row_id)
    if row is not None and not scope.admits(row.district_id):
        raise NotFound(f"No such {noun}.")
