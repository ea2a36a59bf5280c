"""The district wall's one read: a row of district-owned data by id, only when the caller's scope admits it."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from app.domain.access import DistrictScope


class DistrictOwned(Protocol):
    @property
    def district_id(self) -> str | None: ...


RowT = TypeVar("RowT", bound=DistrictOwned)


def get_in(session: Session, scope: DistrictScope, model: type[RowT], row_id: str) -> RowT | None:
    """The row, if the scope admits its district; None for a missing row and for one behind the wall alike, so the
    answer never tells the caller that another district holds the id."""
    row = session.get(model, row_id)
    return row if row is not None and scope.admits(row.district_id) else None
