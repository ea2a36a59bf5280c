"""What authentication needs for the life of the process (issue 15): the token verifier with its key clients (keys
fetched at start-up), and the failure counter with its flusher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import anyio
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from app.auth.failures import AuthFailures
from app.auth.tokens import Verifier
from app.config import Settings

log = logging.getLogger(__name__)


def install(app: FastAPI, settings: Settings, session_factory: sessionmaker[Session]) -> None:
    app.state.verifier = Verifier(settings)
    app.state.auth_failures = AuthFailures(session_factory, window_s=settings.auth_failed_window_s,
                                           per_minute=settings.auth_failures_per_minute)


async def _flush_periodically(failures: AuthFailures) -> None:
    interval = min(5.0, failures.window_s / 2)
    while True:
        await asyncio.sleep(interval)
        try:
            await anyio.to_thread.run_sync(failures.flush)
        except Exception as exc:  # noqa: BLE001 - keep flushing; AuthFailures logs what it could not write
            log.error("flushing failed authentications: %s", type(exc).__name__)


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[None]:
    """Around the app's life: flush ended windows every few seconds; at shut-down write every count still held."""
    failures: AuthFailures = app.state.auth_failures
    verifier: Verifier = app.state.verifier
    if verifier.key_sources():
        # Keys before the first request; an unreachable issuer is named by /readyz and refetched on demand.
        await anyio.to_thread.run_sync(verifier.prefetch)
    task = asyncio.create_task(_flush_periodically(failures))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await anyio.to_thread.run_sync(lambda: failures.flush(everything=True))
