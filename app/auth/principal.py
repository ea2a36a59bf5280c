"""The authenticated caller, as the service's own user table describes it (never the token's claims)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    id: str
    role: str
    name: str
    district_id: str | None
    agency_type: str
    school_ids: frozenset[str] = field(default_factory=frozenset)
    title: str | None = None
    affiliation: str | None = None
