"""Admission control (app/api/admission.py) in front of an app that holds its slot until told: one running, one
waiting until its time is up, one finding the line full. Both refusals are 503 problem+json with Retry-After and are
in the audit log before they are answered."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select
from starlette.types import Message, Receive, Scope, Send

from app.api.admission import AdmissionMiddleware
from app.audit.models import AuditEntry
from app.db.session import make_engine, make_sessionmaker
from app.errors import audit_path


def test_the_line_sheds_when_full_or_too_slow_and_audits_first(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    release = asyncio.Event()

    async def holds_its_slot(_scope: Scope, _receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    admission = AdmissionMiddleware(holds_its_slot, session_factory=sessions, max_in_flight=1, max_queued=1,
                                    queue_timeout_s=1.0, retry_after_s=3)

    async def call(path: str) -> tuple[int, dict[str, str], Any]:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "headers": []}
        await admission(scope, receive, send)
        headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
        return sent[0]["status"], headers, json.loads(sent[1]["body"])

    async def scenario() -> list[tuple[int, dict[str, str], Any]]:
        running = asyncio.create_task(call("/running"))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(call("/waiting"))
        await asyncio.sleep(0.05)
        full = await call("/full")  # one waits already: refused at once, audited before the answer
        with sessions() as session:
            assert session.scalars(select(AuditEntry.type)).all().count("request.shed") == 1
        timed_out = await waiting
        release.set()
        return [await running, timed_out, full]

    try:
        (ok, _, _), timed_out, full = asyncio.run(scenario())
        assert ok == 200
        for status, headers, body in (timed_out, full):
            assert status == 503 and body["status"] == 503
            assert headers["content-type"] == "application/problem+json" and headers["retry-after"] == "3"
        with sessions() as session:
            shed = [json.loads(row)["data"] for row in session.scalars(
                select(AuditEntry.body).where(AuditEntry.type == "request.shed").order_by(AuditEntry.seq))]
        assert [(d["path"], d["why"], d["status"]) for d in shed] == [
            ("/full", "queue_full", 503), ("/waiting", "queue_timeout", 503)]
    finally:
        engine.dispose()


def test_an_odd_path_is_audited_encoded_and_short() -> None:
    sent = "/api/v1/students/x%00\x01 y" + "z" * 600  # no route yet: the line runs before routing
    path = audit_path({"path": sent.replace("%00", "\x00"), "raw_path": sent.encode()})
    assert path.startswith("/api/v1/students/x%00%01%20y") and len(path) == 512
