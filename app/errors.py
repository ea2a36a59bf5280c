"""One typed error hierarchy, rendered once as RFC 9457 problem details (application/problem+json).

Problem details never echo request values: validation errors carry the location and message only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


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
        if exc.audit_event:
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

    @app.exception_handler(Exception)
    def _unexpected(req: Request, exc: Exception) -> JSONResponse:
        # Fail closed: no data, no internals. The type name only, never the message (it may hold a value).
        log.error("unhandled error: %s", type(exc).__name__)
        _audit_failure(req, exc)
        return problem(500, "Internal error", "The request failed and nothing was released.")


def _audit_refusal(req: Request, exc: GatekeeperError) -> None:
    from app.audit.service import append_in_new_transaction

    principal = getattr(req.state, "principal", None)
    data = {"method": req.method, "path": req.url.path, "status": exc.status, **exc.audit_data}
    student_id = data.pop("student_id", None)
    request_id = data.pop("request_id", None)
    append_in_new_transaction(req.app.state.session_factory, str(exc.audit_event),
                              actor_id=getattr(principal, "id", None), student_id=student_id,
                              request_id=request_id, data=data)


def _audit_failure(req: Request, exc: Exception) -> None:
    """request.failed, in a fresh transaction after the request's own was rolled back (ARCHITECTURE.md step 5)."""
    from app.audit.service import append_in_new_transaction

    principal = getattr(req.state, "principal", None)
    try:
        append_in_new_transaction(req.app.state.session_factory, "request.failed",
                                  actor_id=getattr(principal, "id", None),
                                  data={"method": req.method, "path": req.url.path, "error": type(exc).__name__})
    except Exception as failure:  # noqa: BLE001 - the answer is already a refusal; record why the record failed
        log.error("request.failed could not be audited: %s", type(failure).__name__)
