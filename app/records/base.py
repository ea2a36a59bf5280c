"""The record store protocol: the only way the service reads student values.

A store is opened per request (Gate.records(session)), so the built-in one reads inside the request's transaction
and a store elsewhere can ignore the session; the protocol itself speaks only student ids, field names and values.
The gate asks only for the fields it decided to release; `redact` then keeps exactly those, even if a store returns
more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NewType, Protocol

# Values that passed the redactor: the only record values a router may return.
Released = NewType("Released", dict[str, str])


class RecordStore(Protocol):
    def field_names(self, student_id: str) -> dict[str, str]:
        """Every field name the store holds for the student, with its source (no values)."""
        ...

    def read(self, student_id: str, names: Iterable[str]) -> Mapping[str, str]:
        """Values of the named fields that exist."""
        ...


def redact(values: Mapping[str, str], released_names: Iterable[str]) -> Released:
    """Build the released payload from the released names alone (house rule 7)."""
    wanted = list(dict.fromkeys(released_names))
    return Released({name: values[name] for name in wanted if name in values})
