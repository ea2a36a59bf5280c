"""Shared pydantic building blocks: bounded strings and ids (API.md section 3 limits)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

MAX_TEXT = 10_000
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=500)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("datetime needs an offset")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class Body(BaseModel):
    """Input bodies: unknown members are ignored (clients may be newer than us), known ones strictly typed."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)
