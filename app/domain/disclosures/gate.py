"""What the gate works with: the loaded policy, the record store and the key for payload digests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from app.policy.facts import DecisionContext
from app.policy.types import Decision
from app.records.base import RecordStore


class Policy(Protocol):
    version: str

    def decide(self, ctx: DecisionContext) -> Decision: ...

    def reads_student_reports(self, purpose: str, fields: Sequence[str]) -> bool: ...

    def notice_text(self, version: str) -> str | None: ...


@dataclass(frozen=True)
class Gate:
    policy: Policy
    records: Callable[[Session], RecordStore]  # opens the record store on a request's session
    digest_key: bytes
