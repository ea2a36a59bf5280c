"""What a resolver reports for one field: a basis that covers it (Candidate) or why none does (Missing)."""

from __future__ import annotations

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

# Bases after which a police requester may forward data on the district's behalf (R-USE-4).
REDISCLOSURE_OK = frozenset({
    "consent", "consent_lift", "emergency", "emergency_lift", "order", "order_lift", "order_hold", "order_hold_lift",
    "order_review", "order_review_lift", "order_review_counsel", "order_review_counsel_lift", "order_gang",
})
EMERGENCY_TOKENS = frozenset({"emergency", "emergency_lift", "emergency_request", "emergency_request_lift"})
ORDER_TOKENS = frozenset(t for t in REDISCLOSURE_OK if t.startswith("order"))
