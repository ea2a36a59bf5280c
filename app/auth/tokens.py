"""The only place credentials are parsed. Validation uses the real clock, never the legal one.

Two kinds of token, told apart by `iss` before any key is chosen:
- a trusted issuer's (app/auth/issuers.py): verified with that issuer's keys (app/auth/keys.py) and algorithms,
  its audience and leeway; the result names the person by (issuer, claim value), which user_identities maps to a
  Gatekeeper user;
- the local issuer's (GATEKEEPER_JWT_ISSUER): HS256 with GATEKEEPER_JWT_SECRET (tokens the CLI and the demo mint),
  or RS256/ES256/EdDSA with GATEKEEPER_JWT_PUBLIC_KEY or GATEKEEPER_JWKS_URL; its `sub` is the user id.
iss, aud and exp are required; exp, nbf and iat are checked with GATEKEEPER_JWT_LEEWAY_S (60 s) of leeway.
The Verifier is made once per process (create_app), so its key clients and their caches live as long.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from app.auth.issuers import TrustedIssuer
from app.auth.keys import KeyOptions, KeySource, KeysUnavailable, UnknownKey
from app.config import Settings

LOCAL_ASYMMETRIC = ["RS256", "ES256", "EdDSA"]
MAX_CLAIM_VALUE = 500

__all__ = ["Identity", "InvalidToken", "KeysUnavailable", "Verifier", "issue"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or signed by someone else. The message names no claim value."""


@dataclass(frozen=True)
class Identity:
    """Who a valid token names: a Gatekeeper user id (local issuer), or an (issuer, claim value) to look up."""

    user_id: str | None = None
    issuer: str | None = None
    subject: str | None = None


@dataclass
class _Trusted:
    config: TrustedIssuer
    keys: KeySource
    leeway_s: int


class Verifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        options = KeyOptions(timeout_s=settings.jwks_timeout_s, refresh_cooldown_s=settings.jwks_refresh_cooldown_s,
                             cache_s=settings.jwks_cache_s)
        self.trusted: dict[str, _Trusted] = {
            item.issuer: _Trusted(item, KeySource(item.issuer, jwks_url=item.jwks_url,
                                                  discovery_url=item.discovery_url, expected_issuer=item.issuer,
                                                  options=options),
                                  settings.jwt_leeway_s if item.leeway_s is None else item.leeway_s)
            for item in settings.issuers}
        self.local_jwks = (KeySource(settings.jwt_issuer, jwks_url=settings.jwks_url, options=options)
                           if settings.jwks_url else None)

    def key_sources(self) -> list[KeySource]:
        sources = [t.keys for t in self.trusted.values()]
        return [*sources, self.local_jwks] if self.local_jwks is not None else sources

    def prefetch(self) -> dict[str, bool]:
        """Fetch every issuer's keys (start-up); issuer -> reachable."""
        return {source.name: source.prefetch() for source in self.key_sources()}

    def decode(self, token: str) -> Identity:
        """The identity a valid token names; InvalidToken (401) or KeysUnavailable (503)."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        iss = unverified.get("iss")
        trusted = self.trusted.get(iss) if isinstance(iss, str) else None
        if trusted is not None:
            return self._trusted(token, header, trusted)
        if iss != self.settings.jwt_issuer:
            raise InvalidToken("InvalidIssuerError")
        return Identity(user_id=self._local(token, header))

    def _trusted(self, token: str, header: dict[str, Any], trusted: _Trusted) -> Identity:
        config = trusted.config
        if header.get("alg") not in config.algorithms:
            raise InvalidToken("algorithm not accepted")
        kid = header.get("kid")
        try:
            key = trusted.keys.signing_key(kid if isinstance(kid, str) else None)
        except UnknownKey as exc:
            raise InvalidToken("unknown signing key") from exc
        claims = _verified(token, key.key, config.algorithms, config.audience, config.issuer, trusted.leeway_s,
                           ["exp", "iss", "aud"])
        value = claims.get(config.claim)
        if not isinstance(value, str) or not value or len(value) > MAX_CLAIM_VALUE:
            raise InvalidToken("identity claim missing")
        return Identity(issuer=config.issuer, subject=value)

    def _local(self, token: str, header: dict[str, Any]) -> str:
        settings = self.settings
        alg = header.get("alg")
        candidates: list[tuple[Any, list[str]]] = []
        if settings.jwt_secret:
            candidates.append((settings.jwt_secret, ["HS256"]))
        if settings.jwt_public_key:
            candidates.append((settings.jwt_public_key, LOCAL_ASYMMETRIC))
        if self.local_jwks is not None and alg in LOCAL_ASYMMETRIC:
            kid = header.get("kid")
            try:
                candidates.append((self.local_jwks.signing_key(kid if isinstance(kid, str) else None).key,
                                   LOCAL_ASYMMETRIC))
            except UnknownKey as exc:
                if not candidates:
                    raise InvalidToken("unknown signing key") from exc
        for key, algorithms in candidates:
            if alg not in algorithms:
                continue
            claims = _verified(token, key, algorithms, [settings.jwt_audience], settings.jwt_issuer,
                               settings.jwt_leeway_s, ["exp", "iss", "aud", "sub"])
            return str(claims["sub"])
        raise InvalidToken("algorithm not accepted")


def _verified(token: str, key: Any, algorithms: list[str], audience: list[str], issuer: str, leeway: int,
              required: list[str]) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=algorithms, audience=audience, issuer=issuer,
                                            leeway=leeway, options={"require": required})
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from exc
    return claims


def issue(user_id: str, settings: Settings, ttl_seconds: int = 3600) -> str:
    """Mint an HS256 token with the shared secret (the CLI's `token issue` and the demo)."""
    if not settings.jwt_secret:
        raise InvalidToken("no GATEKEEPER_JWT_SECRET configured to sign with")
    now = int(time.time())
    claims = {"sub": user_id, "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "iat": now, "nbf": now,
              "exp": now + ttl_seconds}
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
