"""The identity tests' OpenID provider (tests/oidc_provider.py) with the authorization code flow and PKCE added,
for signing in through the pages (issue 16). Its own process on 127.0.0.1:

    python -m tests.web.code_provider --port 8766 [--client-id ID]

GET /authorize shows a login form (a real provider would check a password; this one takes the user name as the
`sub`), POST /authorize redirects back with a one-time code, and POST /token (grant_type=authorization_code) checks
the client, the redirect URI and the S256 code verifier before it issues an ID token carrying the nonce. Codes last
60 s and are used once. Discovery, the key set and key rotation are the base provider's."""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import secrets
import time
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt

from tests.oidc_provider import Provider, make_handler


class CodeProvider(Provider):
    def __init__(self, issuer: str, alg: str, client_id: str) -> None:
        super().__init__(issuer, alg, client_id, client_secret="")
        self.codes: dict[str, dict[str, Any]] = {}

    def discovery(self) -> dict[str, Any]:
        return {**super().discovery(), "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"], "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"], "scopes_supported": ["openid"]}

    def issue_code(self, params: dict[str, str], sub: str) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {**params, "sub": sub, "at": time.time()}
        return code

    def exchange(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
            kid, key = self.keys[-1]
        if grant is None or time.time() - grant["at"] > 60:
            return 400, {"error": "invalid_grant"}
        if form.get("client_id") != self.client_id or form.get("redirect_uri") != grant.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant.get("code_challenge_method") != "S256" or challenge != grant.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "sub": grant["sub"], "iat": now, "exp": now + 300,
                  "nonce": grant.get("nonce"), "azp": self.client_id}
        signed = jwt.encode(claims, key, algorithm=self.alg, headers={"kid": kid})
        return 200, {"access_token": secrets.token_urlsafe(16), "id_token": signed, "token_type": "Bearer",
                     "expires_in": 300}


def make_code_handler(provider: CodeProvider) -> type:
    base = make_handler(provider)

    class Handler(base):  # type: ignore[valid-type,misc]
        def _page(self, body: str, status: int = 200) -> None:
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path != "/authorize":
                super().do_GET()
                return
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if params.get("client_id") != provider.client_id or params.get("response_type") != "code":
                self._page("<p>unknown client</p>", 400)
                return
            hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                             for k, v in params.items())
            self._page('<!doctype html><html lang="en"><head><title>Test provider sign-in</title></head><body>'
                       '<main><h1>Test identity provider</h1><form method="post" action="/authorize">'
                       f'{hidden}<label for="username">User name</label> <input id="username" name="username">'
                       ' <button type="submit">Sign in</button></form></main></body></html>')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlparse(self.path).path
            if path == "/authorize":
                sub = form.pop("username", "")
                code = provider.issue_code(form, sub)
                back = {"code": code, "state": form.get("state", "")}
                self.send_response(303)
                self.send_header("Location", f"{form.get('redirect_uri', '')}?{urlencode(back)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/token" and form.get("grant_type") == "authorization_code":
                status, body = provider.exchange(form)
                self._send(status, body)
            else:
                self._send(404, {"error": "not_found"})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--alg", default="RS256")
    parser.add_argument("--client-id", default="gatekeeper-pages")
    args = parser.parse_args()
    provider = CodeProvider(f"http://127.0.0.1:{args.port}", args.alg, args.client_id)
    ThreadingHTTPServer(("127.0.0.1", args.port), make_code_handler(provider)).serve_forever()


if __name__ == "__main__":
    main()
