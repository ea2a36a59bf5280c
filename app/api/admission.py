"""Admission control: at most `max_in_flight` requests of one worker run at a time; the rest wait in line, and what
cannot be served in time is refused with 503 problem+json and Retry-After, audited.

Why. A sync route takes several hops through anyio's thread pool (40 threads): each sync dependency, the endpoint,
the session's exit, the error handler. A request holds its database connection (and on SQLite the process's writer
lock, app/db/session.py) from the caller's look-up in get_principal to its commit, across those hops. With more
requests than threads, the threads all blocked waiting for a connection or the writer lock, while the requests
holding them waited for a thread: nothing moved until the 30 s pool or lock time-out, then 500s. Admitted requests
are fewer than the threads and the pool's connections (main.py sizes the pool from the same setting), so each gets
both; the others wait here, on the event loop, holding nothing.

Refusals are audited before they are answered, without taking an admission slot or a default thread-pool token:
`request.shed` events queue for one writer that appends everything waiting in one transaction (group commit), so a
flood of refusals costs a few transactions, not one each, and never waits for a thread an admitted request needs.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from app.audit.service import Event, append_all
from app.errors import audit_path

log = logging.getLogger(__name__)
MAX_BATCH = 500  # refusals per audit transaction
GATHER_S = 0.02  # a refusal waits this long for others to share its transaction
AUDIT_WAIT_S = 10.0  # a refusal is answered after at most this long even if its audit entry could not be written


@dataclass
class _LoopState:
    """Everything bound to one event loop (a TestClient runs each client on a loop of its own)."""

    loop: asyncio.AbstractEventLoop
    slots: asyncio.Semaphore
    waiting: int = 0
    pending: list[tuple[Event, asyncio.Future[bool]]] = field(default_factory=list)
    writer: asyncio.Task[None] | None = None


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, *, session_factory: Callable[[], Session], max_in_flight: int,
                 max_queued: int, queue_timeout_s: float, retry_after_s: int) -> None:
        self.app = app
        self.session_factory = session_factory
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.queue_timeout_s = queue_timeout_s
        self.retry_after_s = retry_after_s
        # The audit writer has a capacity of its own: it never takes a token the admitted requests need.
        self._writer_limiter = anyio.CapacityLimiter(1)
        self._state: _LoopState | None = None

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            self._state = _LoopState(loop, asyncio.Semaphore(self.max_in_flight))
        return self._state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Liveness stays outside the line: a busy worker is alive, and a probe refused with 503 would get it
        # restarted. /healthz touches no database and holds its thread for microseconds.
        if scope["type"] != "http" or scope.get("path") == "/healthz":
            await self.app(scope, receive, send)
            return
        state = self._loop_state()
        why = await self._admit(state)
        if why is not None:
            await self._shed(state, scope, send, why)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            state.slots.release()

    async def _admit(self, state: _LoopState) -> str | None:
        """None once a slot is held, else why not. The line is FIFO (asyncio.Semaphore wakes waiters in order)."""
        if state.slots.locked() and state.waiting >= self.max_queued:
            return "queue_full"
        state.waiting += 1
        try:
            async with asyncio.timeout(self.queue_timeout_s):
                await state.slots.acquire()
        except TimeoutError:
            return "queue_timeout"
        finally:
            state.waiting -= 1
        return None

    async def _shed(self, state: _LoopState, scope: Scope, send: Send, why: str) -> None:
        event = Event("request.shed", actor_id=None, data={
            "method": str(scope.get("method", "")), "path": audit_path(scope), "status": 503, "why": why})
        future: asyncio.Future[bool] = state.loop.create_future()
        state.pending.append((event, future))
        if state.writer is None or state.writer.done():
            state.writer = asyncio.create_task(self._write_pending(state))
        try:
            async with asyncio.timeout(AUDIT_WAIT_S):
                await asyncio.shield(future)
        except TimeoutError:
            log.error("a refusal (503) was answered before its audit entry was written")
        await _busy(send, self.retry_after_s)

    async def _write_pending(self, state: _LoopState) -> None:
        # Whatever queued while a batch was being written goes in the next one.
        while state.pending:
            await asyncio.sleep(GATHER_S)
            batch, state.pending = state.pending[:MAX_BATCH], state.pending[MAX_BATCH:]
            try:
                await anyio.to_thread.run_sync(self._append, [event for event, _ in batch],
                                               limiter=self._writer_limiter)
                written = True
            except Exception as exc:  # noqa: BLE001 - the refusals are answered either way; say why they are not audited
                log.error("%d refusals (503) could not be audited: %s", len(batch), type(exc).__name__)
                written = False
            for _, future in batch:
                if not future.done():
                    future.set_result(written)

    def _append(self, events: list[Event]) -> None:
        with self.session_factory() as session:
            append_all(session, events)
            session.commit()


async def _busy(send: Send, retry_after_s: int) -> None:
    body = json.dumps({"type": "https://gatekeeper.example/problems/503", "title": "Service busy", "status": 503,
                       "detail": f"The service is at capacity; nothing was done. Retry after {retry_after_s} s."})
    raw = body.encode()
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(raw)).encode()),
                            (b"retry-after", str(retry_after_s).encode())]})
    await send({"type": "http.response.body", "body": raw})
