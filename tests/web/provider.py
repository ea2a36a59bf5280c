"""Start and stop the code-flow provider process (tests/web/code_provider.py) for the page tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from tests.auth.conftest import ProviderSubprocess

CLIENT_ID = "gatekeeper-pages"


class CodeProviderProcess(ProviderSubprocess):
    module = "tests.web.code_provider"

    def arguments(self) -> list[str]:
        return ["--client-id", CLIENT_ID]

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
