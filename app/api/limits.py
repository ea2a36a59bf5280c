"""Input limits checked before any handler runs (API.md section 3).

- A body over 1 MiB is refused with 413, whether it declares its length or arrives chunked. The body is read here,
  up to the limit, before the app sees it: an error raised later, while FastAPI reads the body, would become its
  400 "error parsing the body".
- A query string whose decoded values hold a control character is refused with 400: the one rule the audit guard
  applies to every string it records (app/audit/guard.py), and PostgreSQL cannot store NUL.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.guard import printable
from app.errors import problem

MAX_BODY = 1024 * 1024
# A refused body is read on to its end (up to this much) before answering: closing a socket with unread data resets
# the connection, and the client could lose the 413.
DRAIN_LIMIT = 16 * MAX_BODY


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not printable(unquote(scope.get("query_string", b"").decode("latin-1"), errors="replace")):
            await problem(400, "Bad request", "Query parameters may not contain control characters.")(
                scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _too_large(scope, receive, send)
            return
        received: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                if message.get("more_body", False):  # after the last part, receive() waits for a disconnect
                    await _drain(receive, seen)
                await _too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)


async def _drain(receive: Receive, seen: int) -> None:
    while seen <= DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        seen += len(message.get("body", b""))


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await problem(413, "Payload too large", "Request bodies are limited to 1 MiB.")(scope, receive, send)
