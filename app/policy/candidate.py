"""What a resolver reports for one field: a basis that covers it (Candidate) or why none does (Missing)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple


class Missing(NamedTuple):
    """A missing basis or a bar found by Python, with the rule that says so (API.md section 7 `reasons`).

    A NamedTuple, not a dataclass: built and hashed per field on the hot path (fielddecide caches on tuples of them).
    """

    code: str
    rule: str


class Candidate(NamedTuple):
    """A basis that covers the field. `token` is the policy.csv basis column; `basis` the legal bases recorded.

    A NamedTuple, like Missing: built per field on the hot path, where a frozen dataclass's __init__ costs more.
    """

    token: str
    basis: tuple[str, ...]
    rules: tuple[str, ...]
    released_as: str | None = None
    hold_until: datetime | None = None
    waiting_for: str | None = None
    advisory: str | None = None
    # The artifact that covers a record naming other students covers them all (R-REC-9): no masking needed.
    covers_all_students: bool = True


Resolution = tuple[Candidate | None, list[Missing]]

# R-USE-2: the legal bases (as recorded on a field) that need no redisclosure notice: directory information, judicial
# process, a law-enforcement unit's record, de-identified data. The one list; annotate and combine both ask below.
NOTICE_FREE_BASES = frozenset({"FERPA_DIRECTORY", "FERPA_JUDICIAL", "NOT_EDUCATION_RECORD_LEU", "DEIDENTIFIED"})


def needs_redisclosure_notice(basis: Iterable[str]) -> bool:
    """Whether a field released on these legal bases goes with the redisclosure notice (R-USE-2)."""
    return any(b.startswith("FERPA_") and b not in NOTICE_FREE_BASES for b in basis)
