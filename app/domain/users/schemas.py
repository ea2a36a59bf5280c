"""Account views and the external identities of a user (issue 15)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.domain.common import Body

# An issuer URL or a claim value: printable, no surrounding white space, bounded (the columns are 500 long).
IdentityText = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=False,
                                                pattern=r"^[^\x00-\x1f\x7f\s](?:[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s])?$")]


class IdentityIn(Body):
    """One external identity: a trusted issuer's `iss` and the value of the claim it names the person by."""

    issuer: IdentityText
    subject: IdentityText


class IdentityRead(BaseModel):
    issuer: str
    subject: str


class ChildRead(BaseModel):
    student_id: str
    relationship: str = "parent"
    rights_limited: bool = False


class UserRead(BaseModel):
    """A user as the accounts routes answer it: ids, roles and links, never a student record value."""

    id: str
    name: str
    role: str
    title: str | None
    affiliation: str | None
    agency_type: str
    district_id: str | None
    school_ids: list[str]
    sro_certified_until: date | None
    mou_contact: bool
    declared_relationships: list[str]
    student_ids: list[str]
    children: list[ChildRead]
    disabled: bool
    disabled_at: datetime | None
    identities: list[IdentityRead] = Field(default_factory=list)


class UserPage(BaseModel):
    users: list[UserRead]
    next_cursor: str | None
