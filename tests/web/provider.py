"""Start and stop the code-flow provider process (tests/web/code_provider.py) for the page tests."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from tests.auth.conftest import free_port
from tests.factories import PROJECT

CLIENT_ID = "gatekeeper-pages"


class CodeProviderProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> CodeProviderProcess:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.web.code_provider", "--port", str(self.port),
                                      "--client-id", CLIENT_ID], cwd=PROJECT, stdout=subprocess.DEVNULL,
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

    def issuers(self) -> list[dict[str, Any]]:
        return [{"issuer": self.issuer, "audience": CLIENT_ID, "discovery": True, "algorithms": ["RS256"],
                 "claim": "sub"}]

    def clients(self) -> list[dict[str, Any]]:
        return [{"name": "district", "label": "Harbor Regional account", "issuer": self.issuer,
                 "client_id": CLIENT_ID}]

    def log_in(self, authorize_url: str, username: str) -> str:
        """What a person does on the provider's login page; returns the redirect back to Gatekeeper."""
        params = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        resp = httpx.post(f"{self.issuer}/authorize", data={**params, "username": username}, timeout=5)
        assert resp.status_code == 303, resp.text
        return str(resp.headers["location"])
