"""Signing keys of each issuer, as PyJWT's PyJWKClient intends (issue 15, item 2).

One long-lived PyJWKClient per issuer, made once per process: its JWK Set cache serves every request (the old code
made a client per request, so every call fetched the key set). Its cooldown makes a token with an unknown `kid`
refetch the set at most once per GATEKEEPER_JWKS_REFRESH_COOLDOWN_S (60 s): a rotated key is picked up without a
restart, and a flood of made-up kids costs the provider one fetch a minute. Keys are fetched at start-up; the JWKS
URL comes from the configuration or from OpenID discovery.

The trap: the client's cache expires (GATEKEEPER_JWKS_CACHE_S) and its refetch fails while the provider is down.
The last key set fetched successfully stays usable here (`_last_good`), so a provider outage refuses only tokens
whose key is not in it, and those get 503 (KeysUnavailable), not 401: the token may well be good. Every successful
fetch replaces that set, so a key the provider withdrew (revoked) is refused from the next fetch on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from jwt import PyJWK, PyJWKClient, PyJWKClientConnectionError, PyJWKClientError, PyJWKSet
from jwt.exceptions import PyJWKSetError

log = logging.getLogger(__name__)
DOWN_RETRY_S = 5.0


class KeysUnavailable(Exception):
    """The issuer's keys cannot be fetched now and the token's key was never seen: answer 503, not 401."""


class UnknownKey(Exception):
    """The issuer's key set (fresh) has no key for this kid: the token is not the issuer's."""


@dataclass(frozen=True)
class KeyOptions:
    timeout_s: float = 5.0
    refresh_cooldown_s: float = 60.0
    cache_s: int = 3600


class _Client(PyJWKClient):
    """PyJWKClient, telling its KeySource about every key set it fetched successfully."""

    def __init__(self, uri: str, on_fetch: Callable[[list[PyJWK]], None], **kwargs: Any) -> None:
        super().__init__(uri, **kwargs)
        self._on_fetch = on_fetch

    def fetch_data(self) -> Any:
        data = super().fetch_data()
        if isinstance(data, dict):
            try:
                keys = self._get_signing_keys_from_jwk_set(PyJWKSet.from_dict(data))
            except PyJWKSetError as exc:  # no usable key in it: as unusable as no answer, but not "down"
                raise PyJWKClientError("the JWKS endpoint returned no usable signing key") from exc
            self._on_fetch(keys)
        return data


class KeySource:
    """The keys of one issuer, by JWKS URL or OpenID discovery."""

    def __init__(self, name: str, *, jwks_url: str | None = None, discovery_url: str | None = None,
                 expected_issuer: str | None = None, options: KeyOptions = KeyOptions()) -> None:
        self.name = name
        self.options = options
        self._discovery_url = discovery_url
        self._expected_issuer = expected_issuer
        self._lock = threading.Lock()
        self._client: PyJWKClient | None = None
        self._last_discovery: float | None = None
        self._last_good: dict[str, PyJWK] = {}
        self.last_error: str | None = None
        # While the provider is down, requests do not each wait on a connection: one try per DOWN_RETRY_S.
        self._down_at: float | None = None
        if jwks_url is not None:
            self._client = self._make_client(jwks_url)

    def _make_client(self, jwks_url: str) -> PyJWKClient:
        return _Client(jwks_url, self._fetched, cache_jwk_set=True, lifespan=self.options.cache_s,
                       timeout=self.options.timeout_s, cooldown_duration=self.options.refresh_cooldown_s)

    def _fetched(self, keys: list[PyJWK]) -> None:
        with self._lock:
            self._last_good = {k.key_id: k for k in keys if k.key_id}

    @property
    def ready(self) -> bool:
        """Some key of this issuer is known (fetched at start-up or since)."""
        return bool(self._last_good)

    def prefetch(self) -> bool:
        """Fetch the key set now (start-up, /readyz); False, with last_error set, when the provider is unreachable."""
        try:
            self._jwks_client().get_signing_keys()
        except (KeysUnavailable, PyJWKClientError) as exc:
            self.last_error = str(exc) if isinstance(exc, KeysUnavailable) else type(exc).__name__
            log.warning("trusted issuer %s: keys not fetched (%s)", self.name, self.last_error)
            return False
        self.last_error = None
        return True

    def signing_key(self, kid: str | None) -> PyJWK:
        if not kid:
            raise UnknownKey("the token names no key (kid)")
        down_at = self._down_at
        if down_at is not None and time.monotonic() - down_at < min(DOWN_RETRY_S, self.options.refresh_cooldown_s):
            return self._from_last_good(kid)
        try:
            key = self._jwks_client().get_signing_key(kid)
        except PyJWKClientConnectionError as exc:
            self._down_at = time.monotonic()
            self.last_error = "unreachable"
            return self._from_last_good(kid, exc)
        except KeysUnavailable as exc:
            return self._from_last_good(kid, exc)
        except PyJWKClientError as exc:  # a fresh set without this kid (within the cooldown: the cached one)
            raise UnknownKey("no key of the issuer matches the token's kid") from exc
        self.last_error = self._down_at = None
        return key

    def _from_last_good(self, kid: str, cause: Exception | None = None) -> PyJWK:
        """While the provider cannot be reached: the key from the last set fetched, else 503."""
        key = self._last_good.get(kid)
        if key is None:
            raise KeysUnavailable(f"the keys of {self.name} cannot be fetched") from cause
        return key

    def _jwks_client(self) -> PyJWKClient:
        if self._client is not None:
            return self._client
        with self._lock:
            if self._client is not None:
                return self._client
            now = time.monotonic()
            if self._last_discovery is not None and now - self._last_discovery < self.options.refresh_cooldown_s:
                raise KeysUnavailable(f"OpenID discovery of {self.name} failed; retried at most once a cooldown")
            self._last_discovery = now
            self._client = self._make_client(self._discover())
            return self._client

    def _discover(self) -> str:
        assert self._discovery_url is not None
        try:
            resp = httpx.get(self._discovery_url, timeout=self.options.timeout_s, follow_redirects=False)
            resp.raise_for_status()
            document = resp.json()
        except (httpx.HTTPError, ValueError) as exc:
            self.last_error = "unreachable"
            raise KeysUnavailable(f"OpenID discovery of {self.name} failed ({type(exc).__name__})") from exc
        if not isinstance(document, dict) or not isinstance(document.get("jwks_uri"), str):
            raise KeysUnavailable(f"the discovery document of {self.name} names no jwks_uri")
        if self._expected_issuer is not None and document.get("issuer") != self._expected_issuer:
            # OpenID Connect Discovery 1.0 section 4.3: the document's issuer must be the one configured.
            raise KeysUnavailable(f"the discovery document of {self.name} names another issuer")
        return str(document["jwks_uri"])

