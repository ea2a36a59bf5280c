"""Typed settings (GATEKEEPER_ prefix). Refuses missing or placeholder secrets outside demo and tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.auth.issuers import TrustedIssuer, check_public_key, check_unique, load_issuers_file
from app.web.oidc_config import OidcClient

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "changethis", "please-change", "dev", "test"}
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEKEEPER_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./gatekeeper.db"
    env: Literal["development", "test", "production"] = "production"
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    jwks_url: str | None = None
    jwt_issuer: str = "gatekeeper"
    jwt_audience: str = "gatekeeper"
    policy_dir: Path = Path("./policies")
    signing_key_file: Path = Path("./gatekeeper-signing.pem")
    digest_key_file: Path = Path("./gatekeeper-digest.key")
    clock_start: str | None = None
    # Admission control (app/api/admission.py), per worker process. Requests running at once: kept below anyio's
    # 40 threads and the database pool, which main.py sizes from it. The rest wait in line, at most max_queued of
    # them for at most queue_timeout_s; beyond either they get 503 with Retry-After: retry_after_s.
    max_in_flight: int = Field(default=8, ge=1, le=32)
    max_queued: int = Field(default=256, ge=0)
    queue_timeout_s: float = Field(default=5.0, gt=0, le=20)
    retry_after_s: int = Field(default=1, ge=1)
    # SIGTERM: requests still running after this long are cancelled, so the server ends within it plus a moment.
    shutdown_timeout_s: int = Field(default=5, ge=1, le=8)
    # Failed authentications (app/auth/failures.py, issue 15): one auth.failed entry per source address and reason
    # per window, carrying the count; a source over auth_failures_per_minute gets 429 with Retry-After.
    auth_failed_window_s: int = Field(default=60, ge=1, le=3600)
    auth_failures_per_minute: int = Field(default=60, ge=1)
    # Trusted issuers (app/auth/issuers.py, issue 15): JSON in GATEKEEPER_ISSUERS and/or a YAML/JSON file.
    issuers: list[TrustedIssuer] = Field(default_factory=list)
    issuers_file: Path | None = None
    # Token validation (the real clock): leeway for exp, nbf and iat; the key fetches of every JWKS client.
    jwt_leeway_s: int = Field(default=60, ge=0, le=600)
    jwks_timeout_s: float = Field(default=5.0, gt=0, le=30)
    # A token with an unknown kid refetches its issuer's keys at most once per this long (key rotation).
    jwks_refresh_cooldown_s: float = Field(default=60.0, ge=0, le=3600)
    # How long a fetched key set is used before it is fetched again (a failed refetch keeps the old keys).
    jwks_cache_s: int = Field(default=3600, ge=1)
    # The pages' sign-in with the district's identity providers (app/web/oidc.py): JSON in
    # GATEKEEPER_WEB_OIDC_CLIENTS; each names a trusted issuer (start-up refuses one that does not).
    web_oidc_clients: list[OidcClient] = Field(default_factory=list)
    # `gatekeeper demo` sets this (GATEKEEPER_DEMO=true): it generates its own secret for a throw-away district.
    demo: bool = False

    @field_validator("jwt_public_key")
    @classmethod
    def _usable_public_key(cls, value: str | None) -> str | None:
        if value is not None:
            check_public_key(value)
        return value

    @model_validator(mode="after")
    def _load_issuers(self) -> Settings:
        """Trusted issuers from the file join those of the environment; bad ones refuse start-up."""
        if self.issuers_file is not None:
            self.issuers = [*self.issuers, *load_issuers_file(self.issuers_file)]
        local = self.jwt_issuer if (self.jwt_secret or self.jwt_public_key or self.jwks_url) else None
        check_unique(self.issuers, local)
        return self

    @model_validator(mode="after")
    def _guard_secrets(self) -> Settings:
        """The trap: a default or placeholder HS256 secret lets anyone mint tokens, so refuse it in production."""
        relaxed = self.demo or self.env in ("test", "development")
        has_key = bool(self.jwt_public_key or self.jwks_url or self.issuers)
        secret = self.jwt_secret
        weak = secret is not None and (secret.lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH)
        if weak and not relaxed:
            raise ValueError(f"GATEKEEPER_JWT_SECRET is a placeholder or shorter than {MIN_SECRET_LENGTH} characters")
        if secret is None and not has_key and not relaxed:
            raise ValueError("GATEKEEPER_JWT_SECRET (or GATEKEEPER_JWT_PUBLIC_KEY) is required outside demo and tests")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
