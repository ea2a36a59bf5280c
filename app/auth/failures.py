"""Failed authentications: aggregated in the audit log and rate-limited per source address (issue 15, item 4).

Why. Every refusal is audited (R-AUD), but one `auth.failed` entry per bad token let anyone who reaches the port
grow the append-only log without limit. So failures are counted per (source address, reason[, user]) in windows of
`auth_failed_window_s` (60 s by default):
- the first failure of a window is written at once (`count: 1`), so a single failed login is in the log when the
  caller gets its 401;
- the rest of the window only count; their entry (`count: n`, with the first of them as the sample method and path)
  is written when the window ends (a background flush every few seconds), before anyone reads the log (the audit
  routes flush first), and at shut-down. A steady flood thus adds one entry per source and reason per window;
  1,000 bad tokens within a minute add two.
A source that failed more than `auth_failures_per_minute` times in its current minute gets 429 (problem+json with
Retry-After) instead of 401 for further failures until the minute is over; those are counted in the same entries
(`limited: n`). A request with a valid token from the same address is not limited (a school's staff may share one
NAT address with someone guessing).

The counts live in the worker process (each worker aggregates its own failures). State is bounded: beyond
MAX_KEYS distinct keys, new sources share the key "other".
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import append_in_new_transaction

log = logging.getLogger(__name__)
RATE_WINDOW_S = 60.0
MAX_KEYS = 10_000
OVERFLOW_SOURCE = "other"
Key = tuple[str, str, str | None]  # (source address, reason, user id of a disabled account or None)


@dataclass
class _Window:
    started: float
    pending: int = 0
    limited: int = 0
    sample: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Rate:
    started: float
    failures: int = 0


class AuthFailures:
    def __init__(self, session_factory: Callable[[], Session], *, window_s: float = 60.0,
                 per_minute: int = 60, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.session_factory = session_factory
        self.window_s = window_s
        self.per_minute = per_minute
        self._now = monotonic
        self._lock = threading.Lock()
        self._windows: dict[Key, _Window] = {}
        self._rates: dict[str, _Rate] = {}

    # ------------------------------------------------------------------ rate limit
    def note_failure(self, source: str) -> int | None:
        """Count one failed authentication of `source`; the Retry-After seconds when it is now over the limit."""
        now = self._now()
        with self._lock:
            if source not in self._rates and len(self._rates) >= MAX_KEYS:
                source = OVERFLOW_SOURCE
            rate = self._rates.get(source)
            if rate is None or now - rate.started >= RATE_WINDOW_S:
                rate = self._rates[source] = _Rate(now)
            rate.failures += 1
            if rate.failures <= self.per_minute:
                return None
            return max(1, math.ceil(rate.started + RATE_WINDOW_S - now))

    # ------------------------------------------------------------------ audit aggregation
    def refused(self, source: str, reason: str, user_id: str | None, limited: bool, sample: dict[str, Any]) -> None:
        """Record one failure: written now if it opens a window, else counted for the window's entry."""
        now = self._now()
        write: tuple[Key, dict[str, Any]] | None = None
        with self._lock:
            key: Key = (source, reason, user_id)
            if key not in self._windows and len(self._windows) >= MAX_KEYS:
                key = (OVERFLOW_SOURCE, reason, None)
            window = self._windows.get(key)
            if window is None or now - window.started >= self.window_s:
                # A new window; what the old one still counted goes into this entry, so nothing is lost.
                carried, carried_limited = (window.pending, window.limited) if window else (0, 0)
                self._windows[key] = _Window(now)
                write = (key, self._data(sample, carried + 1, carried_limited + int(limited)))
            else:
                if window.pending == 0:
                    window.sample = dict(sample)
                window.pending += 1
                window.limited += int(limited)
        if write is not None:
            self._write([write])

    def flush(self, *, everything: bool = False) -> int:
        """Write the counted failures of windows that ended (all of them when `everything`); the entries written."""
        now = self._now()
        writes: list[tuple[Key, dict[str, Any]]] = []
        with self._lock:
            for key, window in list(self._windows.items()):
                ended = now - window.started >= self.window_s
                if window.pending and (ended or everything):
                    writes.append((key, self._data(window.sample, window.pending, window.limited)))
                    window.pending = window.limited = 0
                    if ended:
                        window.started = now  # the flood goes on in a new window, counted from here
                elif ended:
                    del self._windows[key]
            for source, rate in list(self._rates.items()):
                if now - rate.started >= RATE_WINDOW_S:
                    del self._rates[source]
        self._write(writes)
        return len(writes)

    def _data(self, sample: dict[str, Any], count: int, limited: int) -> dict[str, Any]:
        data = {**sample, "count": count, "window_s": int(self.window_s)}
        if limited:
            data["limited"] = limited
        return data

    def _write(self, writes: list[tuple[Key, dict[str, Any]]]) -> None:
        for (source, reason, user_id), data in writes:
            try:
                append_in_new_transaction(self.session_factory, "auth.failed", actor_id=user_id,
                                          data={**data, "source": source, "problem": reason})
            except Exception as exc:  # noqa: BLE001 - the refusal is answered either way; say that it is not audited
                log.error("%d failed authentications could not be audited: %s", data.get("count", 0),
                          type(exc).__name__)


def source_of(client_host: str | None) -> str:
    """The caller's address as the server saw it (uvicorn applies X-Forwarded-For only from trusted proxies)."""
    return (client_host or "unknown")[:100]


def audit_refused_authentication(request: Any, status: int, data: dict[str, Any]) -> bool:
    """The error handler's path for an `auth.failed` refusal: counted by the app's AuthFailures. False when the
    app has none (then the handler writes the entry itself)."""
    from app.errors import audit_path

    failures: AuthFailures | None = getattr(request.app.state, "auth_failures", None)
    if failures is None:
        return False
    client = request.client
    failures.refused(source_of(client.host if client else None), str(data.get("problem", "unknown")),
                     data.get("user_id"), status == 429,
                     {"method": request.method, "path": audit_path(request.scope), "status": status})
    return True


def flush_before_reading(request: Any) -> None:
    """Before the audit log is read: write every count still held, so the reader misses no failure. Only for a
    caller whose token verifies (the route then checks the role): were a bad token enough, alternating bad tokens
    to an audit route would write one entry per request and defeat the aggregation."""
    failures: AuthFailures | None = getattr(request.app.state, "auth_failures", None)
    verifier = getattr(request.app.state, "verifier", None)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if failures is None or verifier is None or scheme.lower() != "bearer" or not token.strip():
        return
    try:
        verifier.decode(token.strip())
    except Exception:  # noqa: BLE001 - any refusal: no flush; get_principal answers it
        return
    failures.flush(everything=True)
