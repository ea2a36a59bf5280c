"""Trusted issuers as configuration (issue 15, item 1): the identity providers a district signs its people in with.

Each issuer names its `iss`, the audience its tokens must carry (the client id or application id Gatekeeper is
registered under), where its keys are (a JWKS URL, or OpenID discovery at `{issuer}/.well-known/openid-configuration`
or a given discovery URL), the asymmetric algorithms it may sign with, and the claim that names the person (`sub`,
`oid`, `email`, `preferred_username`, ...). A token of a trusted issuer is matched to a Gatekeeper user by
(issuer, claim value) through user_identities, never by the claim alone; roles and schools come only from the users
table (API.md section 2).

Given as JSON in GATEKEEPER_ISSUERS, or in a YAML/JSON file named by GATEKEEPER_ISSUERS_FILE (a list, or a mapping
with an `issuers` list); both may be used together. A bad entry refuses start-up with the entry and member named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

# Asymmetric only: an HS* algorithm would make the provider's public key a shared secret (algorithm confusion).
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
CLAIM_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.:/\-]{0,99}$"


def _http_url(value: str, what: str) -> str:
    parsed = urlparse(value)
    local = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
        raise ValueError(f"{what} must be an https URL (http only on 127.0.0.1 or localhost)")
    if not parsed.netloc:
        raise ValueError(f"{what} must be an absolute URL")
    return value


class TrustedIssuer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(min_length=1, max_length=500)
    audience: list[str] = Field(min_length=1)
    jwks_url: str | None = None
    # True: discover the JWKS URL at {issuer}/.well-known/openid-configuration; or the discovery document's URL.
    discovery: bool | str = False
    algorithms: list[str] = Field(default_factory=lambda: ["RS256"], min_length=1)
    claim: str = Field(default="sub", pattern=CLAIM_PATTERN)
    # None: GATEKEEPER_JWT_LEEWAY_S.
    leeway_s: int | None = Field(default=None, ge=0, le=600)

    @field_validator("audience", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("algorithms")
    @classmethod
    def _asymmetric(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if a not in ASYMMETRIC_ALGORITHMS]
        if bad:
            allowed = ", ".join(ASYMMETRIC_ALGORITHMS)
            raise ValueError(f"not an allowed algorithm: {', '.join(bad)} (allowed: {allowed})")
        return value

    @model_validator(mode="after")
    def _keys_somewhere(self) -> TrustedIssuer:
        if not self.audience or any(not a.strip() for a in self.audience):
            raise ValueError("audience must name the client id Gatekeeper is registered under")
        if (self.jwks_url is None) == (self.discovery is False):
            raise ValueError("give exactly one of jwks_url or discovery")
        if self.jwks_url is not None:
            _http_url(self.jwks_url, "jwks_url")
        if isinstance(self.discovery, str):
            _http_url(self.discovery, "discovery")
        elif self.discovery:
            _http_url(self.issuer, "issuer (for discovery)")
        return self

    @property
    def discovery_url(self) -> str | None:
        if isinstance(self.discovery, str):
            return self.discovery
        if self.discovery:
            return self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        return None


_ISSUERS = TypeAdapter(list[TrustedIssuer])


class IssuerConfigError(ValueError):
    """The trusted issuers cannot be used; the message names the source, the entry and the member."""


def parse_issuers(raw: Any, source: str) -> list[TrustedIssuer]:
    if isinstance(raw, dict) and "issuers" in raw:
        raw = raw["issuers"]
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise IssuerConfigError(f"{source}: expected a list of issuers (or a mapping with an `issuers` list)")
    try:
        return _ISSUERS.validate_python(raw)
    except ValidationError as exc:
        where = "; ".join(f"entry {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise IssuerConfigError(f"{source}: {where}") from None


def load_issuers_file(path: Path) -> list[TrustedIssuer]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise IssuerConfigError(f"GATEKEEPER_ISSUERS_FILE {path}: cannot be read ({type(exc).__name__})") from None
    try:
        raw = yaml.safe_load(text)  # YAML is a superset of JSON
    except yaml.YAMLError:
        raise IssuerConfigError(f"GATEKEEPER_ISSUERS_FILE {path}: not valid YAML or JSON") from None
    return parse_issuers(raw, f"GATEKEEPER_ISSUERS_FILE {path}")


def check_unique(issuers: list[TrustedIssuer], local_issuer: str | None) -> None:
    seen: set[str] = set()
    for item in issuers:
        if item.issuer in seen:
            raise IssuerConfigError(f"trusted issuer {item.issuer} is configured twice")
        seen.add(item.issuer)
        if local_issuer is not None and item.issuer == local_issuer:
            raise IssuerConfigError(f"trusted issuer {item.issuer} is also GATEKEEPER_JWT_ISSUER (the locally "
                                    "minted tokens' iss): give one of them another name")


def check_public_key(pem: str) -> None:
    """Refuse key material that cannot verify anything, with a message saying why (issue 15: a key pasted with
    escaped newlines started the service, and every valid token was then 401 without a word in the log)."""
    if "\\n" in pem and "\n" not in pem.strip():
        raise ValueError("GATEKEEPER_JWT_PUBLIC_KEY holds literal \\n sequences instead of line breaks: give the PEM "
                         "with real newlines (for example GATEKEEPER_JWT_PUBLIC_KEY=\"$(cat key.pem)\")")
    if "-----BEGIN" not in pem:
        raise ValueError("GATEKEEPER_JWT_PUBLIC_KEY is not a PEM public key (no -----BEGIN PUBLIC KEY----- line)")
    if "PRIVATE KEY" in pem:
        raise ValueError("GATEKEEPER_JWT_PUBLIC_KEY is a private key: give the public key only")
    try:
        load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"GATEKEEPER_JWT_PUBLIC_KEY cannot be loaded as a PEM public key ({type(exc).__name__})"
                         ) from None
