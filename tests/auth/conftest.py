"""A real OpenID Connect provider process (tests/oidc_provider.py) on 127.0.0.1, and a Gatekeeper app trusting it.
Tokens come from the provider's token endpoint over HTTP; Gatekeeper fetches the keys from it over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.factories import PROJECT, bootstrap_admin, make_settings

CLIENT_ID = "gatekeeper-test"
CLIENT_SECRET = "provider-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProviderSubprocess:
    """A provider module run as its own process on a free loopback port; ready once its /stats answers. The test
    providers (this one and the pages' code-flow one, tests/web/provider.py) differ only in module and arguments."""

    module = ""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def arguments(self) -> list[str]:
        return []

    def start(self) -> Self:
        self.proc = subprocess.Popen([sys.executable, "-m", self.module, "--port", str(self.port),
                                      *self.arguments()], cwd=PROJECT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.issuer}/stats", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the OpenID provider did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class ProviderProcess(ProviderSubprocess):
    module = "tests.oidc_provider"

    def __init__(self, alg: str = "RS256", port: int | None = None) -> None:
        super().__init__(port)
        self.alg = alg

    def arguments(self) -> list[str]:
        return ["--alg", self.alg]

    def token(self, sub: str = "user-1", claims: dict[str, Any] | None = None, **form: Any) -> str:
        """An ID token from the token endpoint (client_credentials, client_secret_basic)."""
        resp = httpx.post(f"{self.issuer}/token", auth=(CLIENT_ID, CLIENT_SECRET), timeout=5,
                          data={"grant_type": "client_credentials", "sub": sub, "claims": json.dumps(claims or {}),
                                **{k: str(v) for k, v in form.items()}})
        resp.raise_for_status()
        return str(resp.json()["id_token"])

    def rotate(self, drop_old: bool = False) -> str:
        return str(httpx.post(f"{self.issuer}/rotate", data={"drop_old": "1" if drop_old else "0"}, timeout=5)
                   .json()["kid"])

    def jwks_fetches(self) -> int:
        return int(httpx.get(f"{self.issuer}/stats", timeout=5).json()["jwks_fetches"])

    def config(self, **over: Any) -> dict[str, Any]:
        return {"issuer": self.issuer, "audience": CLIENT_ID, "discovery": True, "algorithms": [self.alg],
                "claim": "sub", **over}


@pytest.fixture
def provider() -> Iterator[ProviderProcess]:
    p = ProviderProcess().start()
    yield p
    p.stop()


@pytest.fixture
def second_provider() -> Iterator[ProviderProcess]:
    p = ProviderProcess(alg="ES256").start()
    yield p
    p.stop()


AppFactory = Callable[..., TestClient]


@pytest.fixture
def gatekeeper(db_url: str, tmp_path: Path) -> Iterator[AppFactory]:
    """Start a Gatekeeper (HS256 for the local admin, plus the given trusted issuers); closed at the end."""
    opened: list[TestClient] = []

    def start(issuers: list[dict[str, Any]], **over: Any) -> TestClient:
        settings = make_settings(db_url, tmp_path, issuers=issuers, **over)
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        if len(opened) == 1:
            bootstrap_admin(client)
        return client

    yield start
    for client in opened:
        client.__exit__(None, None, None)
