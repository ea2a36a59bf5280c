"""Sign-in through a real OpenID provider process: the authorization code flow with PKCE, the person matched by
(issuer, sub) through user_identities; an unlinked person or a forged state is refused and audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.factories import audit_events, auth, bootstrap_admin, make_settings
from tests.harbor import NOW, USERS, load_harbor
from tests.web.provider import CodeProviderProcess


@pytest.fixture(scope="module")
def idp() -> Iterator[CodeProviderProcess]:
    p = CodeProviderProcess().start()
    yield p
    p.stop()


@pytest.fixture
def site(db_url: str, tmp_path: Path, idp: CodeProviderProcess) -> Iterator[TestClient]:
    settings = make_settings(db_url, tmp_path, clock_start=NOW, issuers=idp.issuers(),
                             web_oidc_clients=idp.clients())
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        bootstrap_admin(client)
        load_harbor(client)
        body = {**USERS["prin-1"], "identities": [{"issuer": idp.issuer, "subject": "chen@harbor.example"}]}
        assert client.put("/api/v1/users/prin-1", json=body, headers=auth("admin")).status_code == 200
        yield client


def _start(site: TestClient) -> str:
    page = site.get("/signin")
    assert "Sign in with Harbor Regional account" in page.text and "Demo users" not in page.text
    resp = site.get("/signin/oidc/district", follow_redirects=False)
    assert resp.status_code == 303
    return str(resp.headers["location"])


def test_a_linked_person_signs_in_with_the_code_flow_and_pkce(site: TestClient, idp: CodeProviderProcess) -> None:
    authorize = _start(site)
    query = parse_qs(urlparse(authorize).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0] and query["nonce"][0] and query["state"][0]
    back = idp.log_in(authorize, "chen@harbor.example")
    resp = site.get(back, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/queue", resp.text[:500]
    assert site.get("/queue").status_code == 200
    # The code is used once: replaying the same callback is refused.
    replay = site.get(back, follow_redirects=False)
    assert replay.status_code == 401


def test_an_unlinked_person_is_refused_and_audited(site: TestClient, idp: CodeProviderProcess) -> None:
    back = idp.log_in(_start(site), "stranger@harbor.example")
    resp = site.get(back, follow_redirects=False)
    assert resp.status_code == 401 and "Sign-in did not work" in resp.text
    assert "gk_session" not in resp.headers.get("set-cookie", "")
    site.app.state.auth_failures.flush(everything=True)  # type: ignore[attr-defined]
    failed = audit_events(site, by="admin", type="auth.failed")
    assert any(e["data"].get("problem") == "unlinked_identity" for e in failed)


def test_a_forged_state_is_refused(site: TestClient, idp: CodeProviderProcess) -> None:
    back = idp.log_in(_start(site), "chen@harbor.example")
    forged = back.replace("state=", "state=x")
    assert site.get(forged, follow_redirects=False).status_code == 401


def test_a_client_of_an_untrusted_issuer_refuses_start_up(db_url: str, tmp_path: Path,
                                                          idp: CodeProviderProcess) -> None:
    settings = make_settings(db_url, tmp_path, web_oidc_clients=idp.clients())
    with pytest.raises(ValueError, match="not trusted"):
        create_app(settings)
