"""Trusted issuers against a real OpenID Connect provider process (issue 15, items 1, 2 and 5): discovery, the claim
mapping through user_identities, few key fetches, key rotation without restart, provider down (503), leeway, a
second issuer, a disabled user. Nothing is monkeypatched: the provider signs, Gatekeeper fetches its keys over HTTP.
"""

from __future__ import annotations

import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from tests.auth.conftest import CLIENT_ID, AppFactory, ProviderProcess
from tests.factories import audit_events, auth

URL = "/api/v1/policy"


def bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


def link(client: TestClient, user_id: str, role: str, issuer: str, subject: str) -> None:
    resp = client.put(f"/api/v1/users/{user_id}", headers=auth("admin"),
                      json={"name": user_id, "role": role, "identities": [{"issuer": issuer, "subject": subject}]})
    assert resp.status_code in (200, 201), resp.text


def test_discovery_and_claim_mapping_through_the_link_table(provider: ProviderProcess,
                                                            gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config(claim="email")])
    link(client, "aud-x", "auditor", provider.issuer, "ruth@district.example")
    # The claim named in the configuration decides, not sub; roles come from Gatekeeper's user table.
    ok = client.get("/api/v1/users/aud-x", headers=bearer(provider.token(
        sub="opaque-123", claims={"email": "ruth@district.example", "role": "admin"})))
    assert ok.status_code == 200 and ok.json()["role"] == "auditor"
    assert client.post("/api/v1/users/admin/disable", headers=bearer(provider.token(
        claims={"email": "ruth@district.example"}))).status_code == 403  # an auditor, whatever the token says
    # A sub equal to a Gatekeeper id means nothing for a trusted issuer; nor does a missing claim or an unlinked one.
    assert client.get(URL, headers=bearer(provider.token(sub="admin"))).status_code == 401
    assert client.get(URL, headers=bearer(provider.token(claims={"email": "other@x.example"}))).status_code == 401
    problems = {e["data"]["problem"] for e in audit_events(client, "admin", type="auth.failed")}
    assert {"identity claim missing", "unlinked_identity"} <= problems
    # The locally minted tokens keep working beside it.
    assert client.get(URL, headers=auth("admin")).status_code == 200


def test_five_calls_make_at_most_one_key_fetch(provider: ProviderProcess, gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config()])
    link(client, "aud-x", "auditor", provider.issuer, "user-1")
    before = provider.jwks_fetches()
    assert before <= 1  # fetched at start-up
    tok = provider.token()
    for _ in range(5):
        assert client.get(URL, headers=bearer(tok)).status_code == 200
    assert provider.jwks_fetches() - before == 0
    assert provider.jwks_fetches() <= 1
    assert client.get("/readyz").status_code == 200


def test_key_rotation_is_picked_up_without_restart_and_unknown_kids_cost_one_fetch(
        provider: ProviderProcess, gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config()], jwks_refresh_cooldown_s=1.0)
    link(client, "aud-x", "auditor", provider.issuer, "user-1")
    old = provider.token()
    assert client.get(URL, headers=bearer(old)).status_code == 200
    time.sleep(1.1)
    provider.rotate(drop_old=True)
    fetched = provider.jwks_fetches()
    assert client.get(URL, headers=bearer(provider.token())).status_code == 200  # the new kid, fetched once
    assert provider.jwks_fetches() == fetched + 1
    # A flood of made-up kids within the cooldown: 401 each, no further fetch.
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for i in range(20):
        forged = jwt.encode({"iss": provider.issuer, "aud": CLIENT_ID, "sub": "user-1", "exp": int(time.time()) + 60},
                            stranger, algorithm="RS256", headers={"kid": f"made-up-{i}"})
        assert client.get(URL, headers=bearer(forged)).status_code == 401
    assert provider.jwks_fetches() <= fetched + 2
    # The provider withdrew the old key (revoked it): tokens it signed are refused from the next fetch on.
    assert client.get(URL, headers=bearer(old)).status_code == 401


def test_provider_down_is_503_for_an_unseen_key_and_cached_keys_still_work(
        provider: ProviderProcess, gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config()], jwks_refresh_cooldown_s=0.5, jwks_cache_s=1)
    link(client, "aud-x", "auditor", provider.issuer, "user-1")
    cached = provider.token()
    assert client.get(URL, headers=bearer(cached)).status_code == 200
    provider.rotate()
    unseen = provider.token()
    provider.stop()
    time.sleep(1.1)  # past the cooldown and the key-set cache: the last set fetched is all there is
    down = client.get(URL, headers=bearer(unseen))
    assert down.status_code == 503, down.text
    assert down.headers["content-type"] == "application/problem+json" and down.headers["retry-after"]
    assert client.get(URL, headers=bearer(cached)).status_code == 200
    assert client.get("/readyz").status_code == 200  # keys were fetched once: still ready
    assert "issuer_unreachable" in {e["data"]["problem"] for e in audit_events(client, "admin", type="auth.failed")}


def test_provider_down_at_start_is_named_by_readyz(gatekeeper: AppFactory) -> None:
    absent = ProviderProcess()  # never started
    client = gatekeeper([absent.config()], jwks_refresh_cooldown_s=0.2)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and absent.issuer in ready.json()["detail"]
    assert ready.json()["errors"] == [{"issuer": absent.issuer, "msg": "unreachable"}]
    assert client.get(URL, headers=auth("admin")).status_code == 200  # local tokens are unaffected
    absent.start()
    try:
        time.sleep(0.3)
        assert client.get("/readyz").status_code == 200  # discovered and fetched once it is up
        link(client, "aud-x", "auditor", absent.issuer, "user-1")
        assert client.get(URL, headers=bearer(absent.token())).status_code == 200
    finally:
        absent.stop()


def test_leeway(provider: ProviderProcess, gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config(), ])
    link(client, "aud-x", "auditor", provider.issuer, "user-1")
    assert client.get(URL, headers=bearer(provider.token(exp_in=-5))).status_code == 200  # expired 5 s ago
    assert client.get(URL, headers=bearer(provider.token(iat_in=10))).status_code == 200  # issued 10 s ahead
    assert client.get(URL, headers=bearer(provider.token(exp_in=-90))).status_code == 401  # beyond 60 s


def test_leeway_is_configurable(provider: ProviderProcess, gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config(leeway_s=0)])
    link(client, "aud-x", "auditor", provider.issuer, "user-1")
    assert client.get(URL, headers=bearer(provider.token(exp_in=-5))).status_code == 401
    assert client.get(URL, headers=bearer(provider.token())).status_code == 200


def test_a_second_issuer_maps_its_own_subjects(provider: ProviderProcess, second_provider: ProviderProcess,
                                               gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config(), second_provider.config()])
    link(client, "aud-a", "auditor", provider.issuer, "same-sub")
    link(client, "adm-b", "admin", second_provider.issuer, "same-sub")
    a = client.get("/api/v1/users/aud-a", headers=bearer(provider.token(sub="same-sub")))
    b = client.post("/api/v1/users/aud-a/disable", headers=bearer(second_provider.token(sub="same-sub")))
    assert a.status_code == 200 and b.status_code == 200  # the auditor read; the second issuer's admin disabled
    assert client.get(URL, headers=bearer(provider.token(sub="same-sub"))).status_code == 401  # now disabled
    # A token of the second provider claiming the first as its issuer: the first's keys do not verify it.
    forged = second_provider.token(sub="same-sub", claims={"iss": provider.issuer})
    assert client.get(URL, headers=bearer(forged)).status_code == 401
    # Another audience (a token meant for another application) is refused.
    other = second_provider.token(sub="same-sub", claims={"aud": "another-app"})
    assert client.get(URL, headers=bearer(other)).status_code == 401


def test_disabled_user_with_an_earlier_provider_token_is_401(provider: ProviderProcess,
                                                             gatekeeper: AppFactory) -> None:
    client = gatekeeper([provider.config()])
    link(client, "aud-x", "auditor", provider.issuer, "user-1")
    earlier = provider.token()
    assert client.get(URL, headers=bearer(earlier)).status_code == 200
    assert client.post("/api/v1/users/aud-x/disable", headers=auth("admin")).status_code == 200
    assert client.get(URL, headers=bearer(earlier)).status_code == 401
    assert client.get("/api/v1/users", headers=bearer(earlier)).status_code == 401
    assert client.post("/api/v1/users/aud-x/enable", headers=auth("admin")).status_code == 200
    assert client.get(URL, headers=bearer(earlier)).status_code == 200


def test_local_jwks_url_uses_one_client_and_few_fetches(provider: ProviderProcess, gatekeeper: AppFactory) -> None:
    """GATEKEEPER_JWKS_URL (the single local issuer, sub = user id) gets the same long-lived client."""
    client = gatekeeper([], jwks_url=f"{provider.issuer}/jwks", jwt_issuer=provider.issuer, jwt_audience=CLIENT_ID)
    start = provider.jwks_fetches()
    for _ in range(5):
        assert client.get(URL, headers=bearer(provider.token(sub="admin"))).status_code == 200
    assert provider.jwks_fetches() - start == 0 and provider.jwks_fetches() <= 1
