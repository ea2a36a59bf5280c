"""Shared pydantic building blocks: bounded strings and ids (API.md section 3 limits).

Every string a request may carry is one of these types, and each type's limits are the ones the string meets later:
ids, references and field names are written to the audit log as given, so they take the audit guard's limits and
its character rule (app/audit/guard.py) rather than restating them; free text may hold anything but NUL, which
PostgreSQL text and jsonb cannot store. A refusal is a 422 that names the place, never the value (app/errors.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from app.audit.guard import MAX_ID, MAX_STRING, printable, token

MAX_TEXT = 10_000
MAX_FIELD_NAME = 500  # student_fields.name; within the guard's MAX_STRING
MAX_LABEL = 500  # the name, title and affiliation columns
MAX_CODE = 20  # students.grade_level and students.home_language


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


def _printable(value: str) -> str:
    if not printable(value):
        raise ValueError("control characters are not allowed")
    return value


def _token(value: str) -> str:
    if not token(value):
        raise ValueError("white space and control characters are not allowed")
    return value


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT), AfterValidator(_no_nul)]
Label = Annotated[str, StringConstraints(max_length=MAX_LABEL), AfterValidator(_no_nul)]
Code = Annotated[str, StringConstraints(max_length=MAX_CODE), AfterValidator(_printable)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")]
# An artifact id, request id or case reference the caller cites: looked up and audited as given.
Ref = Annotated[str, StringConstraints(max_length=MAX_STRING), AfterValidator(_printable)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_FIELD_NAME), AfterValidator(_token)]
assert MAX_FIELD_NAME <= MAX_STRING


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("datetime needs an offset")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class Body(BaseModel):
    """Input bodies: unknown members are ignored (clients may be newer than us), known ones strictly typed."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)
