"""The signed session cookie and CSRF tokens of the pages (issue 16).

The cookie holds only the user id, a CSRF token, the sign-in method and its expiry, signed with HMAC-SHA256 under a
key derived from the service's digest key (a separate purpose label, so neither key can stand in for the other). It
is HttpOnly, SameSite=Lax, and Secure unless the page is served to 127.0.0.1 or localhost. The user row is read on
every page, so a disabled account is signed out at once. The trap: the cookie is a bearer credential; it never holds
a role (roles come from the users table), and its expiry is inside the signature, so a kept cookie stops working.

CSRF: every form carries the token of the session (or, before sign-in, of a short-lived pre-session cookie) and a
post without it is refused; SameSite=Lax and an Origin check stand behind it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "gk_session"
PRE_COOKIE = "gk_pre"
LANG_COOKIE = "gk_lang"
SESSION_TTL_S = 8 * 3600
PRE_TTL_S = 1800
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "testserver"})


def derive_key(digest_key: bytes) -> bytes:
    return hmac.new(digest_key, b"gatekeeper web session v1", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, payload: dict[str, Any]) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{mac}"


def unsign(key: bytes, value: str | None) -> dict[str, Any] | None:
    """The payload of a cookie this service signed and that has not expired; None for anything else."""
    if not value or value.count(".") != 1 or len(value) > 4096:
        return None
    body, mac = value.split(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int) or payload["exp"] < time.time():
        return None
    return payload


@dataclass(frozen=True)
class WebSession:
    user_id: str
    csrf: str
    method: str
    expires: int


def is_local(request: Request) -> bool:
    return (request.url.hostname or "") in LOCAL_HOSTS


def _set(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=not is_local(request),
                        path="/")


def read_session(key: bytes, request: Request) -> WebSession | None:
    payload = unsign(key, request.cookies.get(SESSION_COOKIE))
    if payload is None or not isinstance(payload.get("u"), str) or not isinstance(payload.get("c"), str):
        return None
    return WebSession(user_id=payload["u"], csrf=payload["c"], method=str(payload.get("m", "")),
                      expires=int(payload["exp"]))


def start_session(key: bytes, request: Request, response: Response, user_id: str, method: str) -> None:
    """A new session (and a new CSRF token: none from before sign-in carries over)."""
    expires = int(time.time()) + SESSION_TTL_S
    value = sign(key, {"u": user_id, "c": secrets.token_urlsafe(24), "m": method, "exp": expires})
    _set(response, request, SESSION_COOKIE, value, SESSION_TTL_S)
    response.delete_cookie(PRE_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def pre_session(key: bytes, request: Request) -> dict[str, Any] | None:
    """The pre-sign-in cookie: a CSRF token and, during an OpenID Connect sign-in, its state, nonce and verifier."""
    return unsign(key, request.cookies.get(PRE_COOKIE))


def set_pre_session(key: bytes, request: Request, response: Response, payload: dict[str, Any]) -> None:
    _set(response, request, PRE_COOKIE, sign(key, {**payload, "exp": int(time.time()) + PRE_TTL_S}), PRE_TTL_S)


def csrf_ok(expected: str | None, sent: str | None) -> bool:
    return bool(expected) and bool(sent) and hmac.compare_digest(str(expected), str(sent))


def same_origin(request: Request) -> bool:
    """A browser's form post names its origin; one from another site is refused (behind SameSite and the token)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"
