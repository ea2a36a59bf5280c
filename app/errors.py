"""One typed error hierarchy, rendered once as RFC 9457 problem details (application/problem+json).

Problem details never echo request values: validation errors carry the location and message only. Logs never hold
them either: an unexpected error is logged as its type and the app's frames, never its message (a database error's
message may quote the statement's values), and it is answered here rather than re-raised for the server to print.
Refusals are audited even on paths the audit guard would not take as sent (control characters, overlong).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.guard import MAX_STRING, AuditGuardError, printable

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
_PATH_SAFE = "!$%&'()*+,/:;=@~-._"


class GatekeeperError(Exception):
    status: int = 500
    title: str = "Internal error"

    # An event the handler appends in its own transaction (the request's work is rolled back).
    audit_event: str | None = None

    def __init__(self, detail: str = "", *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None, audit_event: str | None = None,
                 audit_data: dict[str, Any] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers
        if audit_event is not None:
            self.audit_event = audit_event
        self.audit_data = audit_data or {}


class BadRequest(GatekeeperError):
    status, title = 400, "Bad request"


class Unauthorized(GatekeeperError):
    status, title = 401, "Unauthorized"


class Forbidden(GatekeeperError):
    status, title = 403, "Forbidden"
    audit_event = "access.forbidden"


class NotFound(GatekeeperError):
    status, title = 404, "Not found"


class Conflict(GatekeeperError):
    status, title = 409, "Conflict"


class TooManyRequests(GatekeeperError):
    status, title = 429, "Too many requests"


class PayloadTooLarge(GatekeeperError):
    status, title = 413, "Payload too large"


class Unprocessable(GatekeeperError):
    status, title = 422, "Unprocessable content"

    @classmethod
    def at(cls, loc: list[str | int], msg: str) -> Unprocessable:
        """Bad input at one place of the body; the message names the place, never the value sent."""
        return cls("The request body is invalid.", errors=[{"loc": ["body", *loc], "msg": msg}])


class NotReady(GatekeeperError):
    status, title = 503, "Service not ready"


def problem(status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": f"https://gatekeeper.example/problems/{status}", "title": title,
                            "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _safe_validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Drop "input" and "ctx": they would echo the submitted value, which may be a record value.
    return [{"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
            for err in exc.errors()]


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(GatekeeperError)
    def _gatekeeper(req: Request, exc: GatekeeperError) -> JSONResponse:
        if exc.audit_event == "auth.failed" and _audit_auth_failure(req, exc):
            pass  # counted per source and reason (app/auth/failures.py)
        elif exc.audit_event:
            _audit_refusal(req, exc)
        return problem(exc.status, exc.title, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, "Unprocessable content", "The request body or parameters are invalid.",
                       _safe_validation_errors(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail),
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    def _data_error(_req: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot store (bad input the schemas missed); the transaction was rolled back.
        log.warning("refused input the database cannot store: %s", describe_error(exc))
        return problem(422, "Unprocessable content", "The request holds a value that cannot be stored.")

    # Errors the middleware below does not see (raised outside it) still reach Starlette's handler.
    app.exception_handler(Exception)(unexpected)
    app.add_middleware(FailClosedMiddleware)


def unexpected(req: Request, exc: Exception) -> JSONResponse:
    """Fail closed: no data, no internals, and a log line without the exception's message (it may hold a value)."""
    log.error("unhandled error: %s", describe_error(exc))
    _audit_failure(req, exc)
    return problem(500, "Internal error", "The request failed and nothing was released.")


def describe_error(exc: BaseException) -> str:
    """The exception's type, its causes' types and where in the app it was raised; never a message."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(parts) < 5:
        frames = [f for f in traceback.extract_tb(seen.__traceback__) if "/app/" in f.filename]
        where = " < ".join(f"{f.filename.rsplit('/app/', 1)[-1]}:{f.lineno} {f.name}" for f in frames[::-1][:6])
        parts.append(f"{type(seen).__module__}.{type(seen).__qualname__}" + (f" at {where}" if where else ""))
        seen = seen.__cause__ or seen.__context__
    return "; from ".join(parts)


class FailClosedMiddleware:
    """Answers an unexpected error with the 500 problem and does not re-raise it: Starlette re-raises for the server
    to log, and uvicorn would print the traceback with the exception's message (SQL and, without hide_parameters,
    the bound values of a failed statement)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:  # noqa: BLE001 - every error becomes the same fail-closed answer
            response = await run_in_threadpool(unexpected, Request(scope), exc)
            if not started:
                await response(scope, receive, send)


def audit_path(scope: Scope) -> str:
    """The request's path as audited: as sent when the audit guard takes it; else the matched route's template
    (`/api/v1/students/{student_id}`); else (no route yet: the admission line) the raw path with anything but
    printable ASCII percent-encoded and cut to the guard's length. A control character or an overlong path thus
    never turns an audited refusal into an unaudited 500, nor fails a batch of shed refusals."""
    path = str(scope.get("path", ""))
    if len(path) <= MAX_STRING and printable(path):
        return path
    template = getattr(scope.get("route"), "path", None)
    if isinstance(template, str) and printable(template):
        return template
    raw = scope.get("raw_path")
    sent = raw.decode("latin-1") if isinstance(raw, bytes) else path
    return quote(sent.split("?", 1)[0], safe=_PATH_SAFE)[:MAX_STRING]


def _audit_auth_failure(req: Request, exc: GatekeeperError) -> bool:
    from app.auth.failures import audit_refused_authentication

    return audit_refused_authentication(req, exc.status, exc.audit_data)


def _audit_refusal(req: Request, exc: GatekeeperError) -> None:
    from app.audit.service import append_in_new_transaction

    principal = getattr(req.state, "principal", None)
    data = {"method": req.method, "path": audit_path(req.scope), "status": exc.status, **exc.audit_data}
    student_id = data.pop("student_id", None)
    request_id = data.pop("request_id", None)
    try:
        append_in_new_transaction(req.app.state.session_factory, str(exc.audit_event),
                                  actor_id=getattr(principal, "id", None), student_id=student_id,
                                  request_id=request_id, data=data)
    except AuditGuardError:
        # Something the caller sent (an id, a filter) is not audit-safe: record the refusal without it.
        append_in_new_transaction(req.app.state.session_factory, str(exc.audit_event),
                                  actor_id=getattr(principal, "id", None),
                                  data={"method": req.method, "path": audit_path(req.scope), "status": exc.status,
                                        "problem": "unauditable_detail"})


def _audit_failure(req: Request, exc: Exception) -> None:
    """request.failed, in a fresh transaction after the request's own was rolled back (ARCHITECTURE.md step 5)."""
    from app.audit.service import append_in_new_transaction

    principal = getattr(req.state, "principal", None)
    try:
        append_in_new_transaction(req.app.state.session_factory, "request.failed",
                                  actor_id=getattr(principal, "id", None),
                                  data={"method": req.method, "path": audit_path(req.scope),
                                        "error": type(exc).__name__})
    except Exception as failure:  # noqa: BLE001 - the answer is already a refusal; record why the record failed
        log.error("request.failed could not be audited: %s", type(failure).__name__)
