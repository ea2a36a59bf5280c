"""Sign-in with the district's identity provider: the OpenID Connect authorization code flow with PKCE (S256),
through Authlib's OAuth 2.0 client.

The start sets a pre-sign-in cookie holding the state, nonce and code verifier (signed, 30 minutes) and sends the
browser to the provider. The callback checks the state, exchanges the code with the verifier, verifies the ID token
with the API's own Verifier (the trusted issuer's keys, algorithms, audience and claim: app/auth/tokens.py), checks
the nonce, and matches the person by (issuer, claim value) through user_identities, as for a bearer token. An
unlinked or disabled person is refused and audited as auth.failed, as the API does.
"""

from __future__ import annotations

import secrets
import time
import warnings
from typing import Any

import authlib.deprecate  # first: its own "always" filter must be in place before ours
import httpx
import jwt
from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from app.api.deps import SessionDep
from app.auth import tokens
from app.domain.users.repository import user_by_identity
from app.errors import NotFound, Unauthorized
from app.web import oidc_config
from app.web.caller import web_key
from app.web.home import home_of, mark_page
from app.web.render import render
from app.web.session import pre_session, set_pre_session, start_session

with warnings.catch_warnings():
    # Authlib 1.9 announces a move of its httpx integration; the client's interface is unchanged.
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_page)])
DISCOVERY_CACHE_S = 3600
HTTP_TIMEOUT_S = 5.0
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


def _client(request: Request, name: str) -> oidc_config.OidcClient:
    for provider in oidc_config.providers(request.app.state.settings):
        if provider.name == name:
            return provider
    raise NotFound("No such sign-in.")


def _metadata(provider: oidc_config.OidcClient) -> dict[str, Any]:
    cached = _discovered.get(provider.discovery_url)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    document: dict[str, Any] = httpx.get(provider.discovery_url, timeout=HTTP_TIMEOUT_S).raise_for_status().json()
    if document.get("issuer") != provider.issuer:
        raise ValueError("the discovery document names another issuer")
    _discovered[provider.discovery_url] = (time.monotonic() + DISCOVERY_CACHE_S, document)
    return document


def _redirect_uri(request: Request, name: str) -> str:
    return str(request.url_for("oidc_callback", name=name))


def _oauth(provider: oidc_config.OidcClient, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(client_id=provider.client_id, client_secret=provider.client_secret,
                        scope=" ".join(provider.scopes), redirect_uri=redirect_uri, code_challenge_method="S256",
                        token_endpoint_auth_method="client_secret_basic" if provider.client_secret else "none",
                        timeout=HTTP_TIMEOUT_S)


def _refuse(request: Request, session: Session, problem: str, status: int = 401) -> Response:
    """Audited as the API audits a refused authentication (after this request's transaction ended, as there); the
    person sees the sign-in page with a message."""
    session.rollback()
    request.app.state.web_api_error_handler(request, Unauthorized(
        "Sign-in failed.", audit_event="auth.failed", audit_data={"problem": problem}))
    return render(request, "signin.html", status_code=status, providers=oidc_config.providers(
        request.app.state.settings), demo=bool(request.app.state.settings.demo), people=[],
        error="Sign-in did not work. Nothing was done; ask your district's administrator if it keeps failing.")


@router.get("/signin/oidc/{name}")
def oidc_start(request: Request, name: str) -> Response:
    provider = _client(request, name)
    try:
        metadata = _metadata(provider)
    except (httpx.HTTPError, ValueError):
        return render(request, "error.html", status_code=503, status=503,
                      detail="The district's sign-in service cannot be reached now. Try again in a moment.")
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
    with _oauth(provider, _redirect_uri(request, name)) as oauth:
        url, state = oauth.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier,
                                                    nonce=nonce)
    response = RedirectResponse(url, status_code=303)
    csrf = (pre_session(web_key(request), request) or {}).get("c") or secrets.token_urlsafe(24)
    set_pre_session(web_key(request), request, response,
                    {"c": csrf, "p": name, "s": state, "n": nonce, "v": verifier})
    return response


@router.get("/signin/oidc/{name}/callback", name="oidc_callback")
def oidc_callback(request: Request, name: str, session: SessionDep, code: str = "", state: str = "",
                  error: str = "") -> Response:
    provider = _client(request, name)
    pending = pre_session(web_key(request), request) or {}
    if error or not code or pending.get("p") != name or not state or not secrets.compare_digest(
            str(pending.get("s", "")), state):
        return _refuse(request, session, "oidc_state" if not error else "oidc_error")
    try:
        metadata = _metadata(provider)
        with _oauth(provider, _redirect_uri(request, name)) as oauth:
            token = oauth.fetch_token(metadata["token_endpoint"], code=code,
                                      code_verifier=str(pending.get("v", "")))
        id_token = str(token.get("id_token") or "")
        verifier: tokens.Verifier = request.app.state.verifier
        identity = verifier.decode(id_token)
        claims = jwt.decode(id_token, options={"verify_signature": False})  # verified just above
    except tokens.InvalidToken:
        return _refuse(request, session, "oidc_invalid_id_token")
    except Exception:  # noqa: BLE001 - the provider answered badly or not at all: refuse, never half sign in
        return _refuse(request, session, "oidc_exchange_failed")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if identity.issuer != provider.issuer or provider.client_id not in audiences or not secrets.compare_digest(
            str(claims.get("nonce", "")), str(pending.get("n", ""))):
        return _refuse(request, session, "oidc_claims")
    assert identity.subject is not None
    user = user_by_identity(session, provider.issuer, identity.subject)
    if user is None:
        return _refuse(request, session, "unlinked_identity")
    if user.disabled_at is not None:
        return _refuse(request, session, "disabled_user")
    response = RedirectResponse(home_of(user.role), status_code=303)
    start_session(web_key(request), request, response, user.id, f"oidc:{name}")
    return response
