"""The district's OpenID Connect sign-in clients for the pages (GATEKEEPER_WEB_OIDC_CLIENTS, JSON).

Each names a trusted issuer (GATEKEEPER_ISSUERS, app/auth/issuers.py) by its `issuer`: the ID token is checked
against that issuer's keys and audience, and the person is matched by the issuer's claim through user_identities,
exactly as a bearer token of that issuer is. A client whose issuer is not trusted refuses start-up."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OidcClient(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    label: str = Field(min_length=1, max_length=100)
    issuer: str = Field(min_length=1, max_length=500)
    client_id: str = Field(min_length=1, max_length=500)
    # None: a public client (PKCE alone); else client_secret_basic at the token endpoint.
    client_secret: str | None = None
    # None: {issuer}/.well-known/openid-configuration
    discovery: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid"])

    @property
    def discovery_url(self) -> str:
        return self.discovery or self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def providers(settings: Any) -> list[OidcClient]:
    found: list[OidcClient] = list(getattr(settings, "web_oidc_clients", None) or [])
    return found


def check_trusted(settings: Any) -> None:
    """Refuse start-up for a sign-in client whose issuer is not a trusted issuer (its ID tokens could not be
    verified, nor its people matched)."""
    trusted = {i.issuer for i in getattr(settings, "issuers", None) or []}
    for client in providers(settings):
        if client.issuer not in trusted:
            raise ValueError(f"GATEKEEPER_WEB_OIDC_CLIENTS: {client.name} names an issuer that is not trusted "
                             "(GATEKEEPER_ISSUERS)")
        if client.name in {c.name for c in providers(settings) if c is not client}:
            raise ValueError(f"GATEKEEPER_WEB_OIDC_CLIENTS: {client.name} is named twice")
