"""The record-value guard: audit data holds ids, field names, outcomes, reasons, rule ids, purposes and digests,
never a value from a student record (R-AUD-4, R-LOG-2).

Two cheap checks run on every append, before any SQL:
1. Shape. Keys that name a value container (`value`, `released`, `payload`, free-text `note`/`justification`, ...)
   are refused at any depth, and record field names (`name`, `date_of_birth`, ...) are refused as top-level keys,
   because `{"name": student.name}` is the likeliest leak. Values are str/int/bool/None, lists and mappings at most
   four deep; no floats (their text form is not canonical across languages). Strings are short, have no control
   characters, and contain no whitespace except under the few keys that carry fixed, value-free text (`problem`,
   `path`, ...) or ids: a name or a narrative has spaces, a reason code or a field name does not.
2. Taint. Code that reads record values may register them with `sensitive_values(...)`; while registered, any
   string in audit data that equals or contains one of them is refused. This catches what no shape rule can
   (a date of birth, a grade).
A refusal raises AuditGuardError naming the key path only; the message never echoes the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

MAX_DEPTH = 4
MAX_ITEMS = 1000
MAX_KEYS = 200
MAX_STRING = 512
MAX_ID = 200
MIN_TAINT_SUBSTRING = 4

VALUE_KEYS = frozenset({
    "value", "values", "released", "released_values", "released_data", "record", "records", "record_values",
    "payload", "raw", "content", "body", "text", "narrative", "summary", "justification", "note", "notes",
    "field_values", "fields_values", "student_record", "answer", "comment", "comments",
})
RECORD_FIELD_KEYS = frozenset({
    "name", "first_name", "last_name", "full_name", "preferred_name", "date_of_birth", "dob", "birth_date",
    "place_of_birth", "home_address", "address", "phone", "email", "ssn", "photo", "religion", "grade_level",
    "class_schedule", "immigration_status", "home_language",
})
FREE_TEXT_KEYS = frozenset({"problem", "detail", "why", "title", "error", "message", "path", "affiliation"})

TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_SPACE_RE = re.compile(r"\s")

_sensitive: ContextVar[frozenset[str]] = ContextVar("audit_sensitive_values", default=frozenset())


class AuditGuardError(ValueError):
    """Audit data that could carry a record value. The message names where, never what."""


@contextmanager
def sensitive_values(values: Iterable[str]) -> Iterator[None]:
    """Register record values read in this context so no audit append inside it can carry them."""
    token = _sensitive.set(_sensitive.get() | {v for v in values if isinstance(v, str) and v})
    try:
        yield
    finally:
        _sensitive.reset(token)


def note_sensitive_values(values: Iterable[str]) -> None:
    """Like sensitive_values, for the rest of the current context (one request, one thread)."""
    _sensitive.set(_sensitive.get() | {v for v in values if isinstance(v, str) and v})


def printable(value: str) -> bool:
    """No control characters: the rule for every audited string, and so for the ids, references, field names and
    query values a request may carry (app/domain/common.py, app/api/limits.py). PostgreSQL text cannot hold NUL."""
    return _CONTROL_RE.search(value) is None


def token(value: str) -> bool:
    """Printable and without white space: what audit data holds outside its free-text keys (field names, codes)."""
    return printable(value) and _SPACE_RE.search(value) is None


def check_event(type: str, ids: Mapping[str, str | None], data: Mapping[str, Any]) -> None:
    if not TYPE_RE.match(type) or len(type) > 60:
        raise AuditGuardError("event type must look like 'noun.verb' (lower case, dotted)")
    for name, value in ids.items():
        if value is not None and (not isinstance(value, str) or len(value) > MAX_ID or _CONTROL_RE.search(value)):
            raise AuditGuardError(f"{name} must be a short string without control characters")
    if not isinstance(data, Mapping):
        raise AuditGuardError("data must be a mapping")
    for key in data:
        if isinstance(key, str) and key.lower() in RECORD_FIELD_KEYS:
            raise AuditGuardError(f"data.{key}: a record field name is not an audit key; list field names instead")
    taint = _sensitive.get()
    _check(data, "data", 0, taint, free_text=False)


def _check(value: Any, path: str, depth: int, taint: frozenset[str], *, free_text: bool) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        _check_string(value, path, taint, free_text=free_text)
        return
    if depth >= MAX_DEPTH:
        raise AuditGuardError(f"{path}: nested too deep for audit data")
    if isinstance(value, Mapping):
        if len(value) > MAX_KEYS:
            raise AuditGuardError(f"{path}: too many keys")
        for key, item in value.items():
            if not isinstance(key, str) or not key or len(key) > MAX_ID or _CONTROL_RE.search(key):
                raise AuditGuardError(f"{path}: keys must be short strings")
            lowered = key.lower()
            if lowered in VALUE_KEYS:
                raise AuditGuardError(f"{path}.{key}: audit data never holds values (use a payload digest)")
            _check_string(key, f"{path}.<key>", taint, free_text=True)
            is_text = lowered in FREE_TEXT_KEYS or lowered == "id" or lowered.endswith(("_id", "_ids"))
            _check(item, f"{path}.{key}", depth + 1, taint, free_text=is_text)
        return
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            raise AuditGuardError(f"{path}: too many items")
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1, taint, free_text=free_text)
        return
    raise AuditGuardError(f"{path}: {type(value).__name__} is not allowed in audit data")


def _check_string(value: str, path: str, taint: frozenset[str], *, free_text: bool) -> None:
    if len(value) > MAX_STRING:
        raise AuditGuardError(f"{path}: string too long for audit data")
    if _CONTROL_RE.search(value):
        raise AuditGuardError(f"{path}: control characters are not allowed")
    if not free_text and _SPACE_RE.search(value):
        raise AuditGuardError(f"{path}: free text is not audited (names and narratives have spaces)")
    if taint and (value in taint or _contains_taint(value, taint)):
        raise AuditGuardError(f"{path}: holds a value read from a student record")


@lru_cache(maxsize=64)
def _taint_patterns(taint: frozenset[str]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """One alternation per kind of value, compiled once per set of registered values. A value with white space can
    only hide in a string with white space, and audit strings rarely have any, so most checks scan one pattern."""
    long_enough = sorted((t for t in taint if len(t) >= MIN_TAINT_SUBSTRING), key=len, reverse=True)
    spaced = [re.escape(t) for t in long_enough if _SPACE_RE.search(t)]
    plain = [re.escape(t) for t in long_enough if not _SPACE_RE.search(t)]
    return (re.compile("|".join(plain)) if plain else None, re.compile("|".join(spaced)) if spaced else None)


def _contains_taint(value: str, taint: frozenset[str]) -> bool:
    plain, spaced = _taint_patterns(taint)
    if plain is not None and plain.search(value):
        return True
    return spaced is not None and _SPACE_RE.search(value) is not None and spaced.search(value) is not None
