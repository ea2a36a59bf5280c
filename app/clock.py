"""The legal clock (API.md section 1): every date or time comparison in the service reads now().

With GATEKEEPER_ENV=test and GATEKEEPER_CLOCK_START set, legal now = CLOCK_START + time elapsed since the process
started (or since configure() was called by `serve`). Anywhere else the variable is ignored with a warning.
Token validation deliberately does not use this clock.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime, timedelta

log = logging.getLogger(__name__)

_start: datetime | None = None
_mono0: float = time.monotonic()


def configure(env: str, clock_start: str | None) -> None:
    """Pin the legal clock for this process. Called once at start-up."""
    global _start, _mono0
    if not clock_start:
        _start = None
        return
    if env != "test":
        log.warning("GATEKEEPER_CLOCK_START is ignored outside GATEKEEPER_ENV=test")
        _start = None
        return
    parsed = datetime.fromisoformat(clock_start)
    if parsed.tzinfo is None:
        raise ValueError("GATEKEEPER_CLOCK_START needs an offset")
    _start = parsed
    _mono0 = float(os.environ.get("GATEKEEPER_CLOCK_MONO0", time.monotonic()))


def now() -> datetime:
    """The legal now, timezone-aware (UTC)."""
    if _start is None:
        return datetime.now(UTC)
    return (_start + timedelta(seconds=time.monotonic() - _mono0)).astimezone(UTC)


def is_pinned() -> bool:
    return _start is not None
