"""A small OpenID Connect provider for the identity tests, run as its own process on 127.0.0.1 (issue 15, item 5).

    python -m tests.oidc_provider --port 8765 [--alg RS256|ES256] [--client-id ID --client-secret S]

It serves what a relying party uses: the discovery document (/.well-known/openid-configuration), the key set
(jwks_uri, /jwks) and a token endpoint (/token) that issues signed ID tokens to a registered client
(client_credentials with client_secret_basic or client_secret_post). A test names the person and the claims through
form parameters (`sub`, `claims` as JSON, `exp_in`, `iat_in`, `kid`), which a real provider would take from its login.
Test controls: POST /rotate makes a new signing key (the old one stays published unless `drop_old=1`), GET /stats
counts the key-set fetches. Tokens are signed with PyJWT; nothing of Gatekeeper is imported.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


class Provider:
    def __init__(self, issuer: str, alg: str, client_id: str, client_secret: str) -> None:
        self.issuer = issuer
        self.alg = alg
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.Lock()
        self.keys: list[tuple[str, Any]] = []  # (kid, private key), newest last
        self.jwks_fetches = 0
        self.rotate()

    def rotate(self, drop_old: bool = False) -> str:
        key: Any = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if self.alg.startswith(("RS", "PS"))
                    else ec.generate_private_key(ec.SECP256R1()))
        kid = secrets.token_hex(8)
        with self.lock:
            self.keys = [(kid, key)] if drop_old else [*self.keys, (kid, key)]
        return kid

    def jwks(self) -> dict[str, Any]:
        with self.lock:
            self.jwks_fetches += 1
            keys = list(self.keys)
        out = []
        for kid, key in keys:
            as_json = (RSAAlgorithm.to_jwk(key.public_key()) if self.alg.startswith(("RS", "PS"))
                       else ECAlgorithm.to_jwk(key.public_key()))
            out.append({**json.loads(as_json), "kid": kid, "use": "sig", "alg": self.alg})
        return {"keys": out}

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks", "token_endpoint": f"{self.issuer}/token",
                "authorization_endpoint": f"{self.issuer}/authorize", "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": [self.alg],
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}

    def token(self, form: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            kid, key = self.keys[-1]
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.issuer, "aud": self.client_id, "sub": form.get("sub", "user-1"),
                                  "iat": now + int(form.get("iat_in", "0")),
                                  "exp": now + int(form.get("exp_in", "300"))}
        claims.update(json.loads(form.get("claims", "{}")))
        signed = jwt.encode(claims, key, algorithm=self.alg, headers={"kid": form.get("kid", kid)})
        return {"access_token": signed, "id_token": signed, "token_type": "Bearer", "expires_in": 300}


def make_handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif path == "/jwks":
                self._send(200, provider.jwks())
            elif path == "/stats":
                self._send(200, {"jwks_fetches": provider.jwks_fetches})
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlparse(self.path).path
            if path == "/rotate":
                self._send(200, {"kid": provider.rotate(drop_old=form.get("drop_old") == "1")})
                return
            if path != "/token":
                self._send(404, {"error": "not_found"})
                return
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            if form.get("grant_type") != "client_credentials":
                self._send(400, {"error": "unsupported_grant_type"})
            elif (client_id, client_secret) != (provider.client_id, provider.client_secret):
                self._send(401, {"error": "invalid_client"})
            else:
                self._send(200, provider.token(form))

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--alg", default="RS256")
    parser.add_argument("--client-id", default="gatekeeper-test")
    parser.add_argument("--client-secret", default="provider-test-secret")
    args = parser.parse_args()
    provider = Provider(f"http://127.0.0.1:{args.port}", args.alg, args.client_id, args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(provider))
    server.serve_forever()


if __name__ == "__main__":
    main()
