"""The only place credentials are parsed. HS256 with the shared secret, or RS256/ES256/EdDSA with a configured
public key (an OIDC provider). iss, aud and exp are required. Validation uses the real clock, never the legal one."""

from __future__ import annotations

import time
from typing import Any

import jwt

from app.config import Settings

ASYMMETRIC = ["RS256", "ES256", "EdDSA"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or signed by someone else. The message names no claim value."""


def _keys(settings: Settings) -> list[tuple[Any, list[str]]]:
    keys: list[tuple[Any, list[str]]] = []
    if settings.jwt_secret:
        keys.append((settings.jwt_secret, ["HS256"]))
    if settings.jwt_public_key:
        keys.append((settings.jwt_public_key, ASYMMETRIC))
    return keys


def _jwks_key(settings: Settings, token: str) -> Any:
    client = jwt.PyJWKClient(str(settings.jwks_url), cache_keys=True)
    return client.get_signing_key_from_jwt(token).key


def decode(token: str, settings: Settings) -> str:
    """Return the subject (user id) of a valid token or raise InvalidToken."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed token") from exc
    alg = header.get("alg")
    candidates = _keys(settings)
    if settings.jwks_url and alg in ASYMMETRIC:
        try:
            candidates.append((_jwks_key(settings, token), ASYMMETRIC))
        except jwt.PyJWTError as exc:
            raise InvalidToken("no signing key") from exc
    for key, algorithms in candidates:
        if alg not in algorithms:
            continue
        try:
            claims = jwt.decode(token, key, algorithms=algorithms, audience=settings.jwt_audience,
                                issuer=settings.jwt_issuer, options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        return str(claims["sub"])
    raise InvalidToken("algorithm not accepted")


def issue(user_id: str, settings: Settings, ttl_seconds: int = 3600) -> str:
    """Mint an HS256 token with the shared secret (the CLI's `token issue` and the demo)."""
    if not settings.jwt_secret:
        raise InvalidToken("no GATEKEEPER_JWT_SECRET configured to sign with")
    now = int(time.time())
    claims = {"sub": user_id, "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "iat": now, "nbf": now,
              "exp": now + ttl_seconds}
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
