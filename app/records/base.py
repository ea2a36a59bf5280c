"""The record store protocol: the only way the service reads student values.

The gate asks only for the fields it decided to release; `redaction` then keeps exactly those, even if a store
returns more.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, NewType, Protocol

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

# Values that passed the redactor: the only record values a router may return.
Released = NewType("Released", dict[str, str])


class RecordStore(Hashable, Protocol):  # hashable: the gate caches its statements per store
    def field_names(self, session: Session, student_id: str) -> dict[str, str]:
        """Every field name the store holds for the student, with its source (no values)."""
        ...

    def field_sources_column(self, student_id: ColumnElement[str]) -> ColumnElement[Any] | None:
        """field_names() as a SQL expression (a JSON object of name -> source) for the student whose id is
        `student_id`, so the gate reads it in the same query as the student; None for a store outside the
        service's database (the gate then calls field_names())."""
        ...

    def read(self, session: Session, student_id: str, names: Iterable[str]) -> Mapping[str, str]:
        """Values of the named fields that exist."""
        ...


def redact(values: Mapping[str, str], released_names: Iterable[str]) -> Released:
    """Build the released payload from the released names alone (house rule 7)."""
    wanted = list(dict.fromkeys(released_names))
    return Released({name: values[name] for name in wanted if name in values})
