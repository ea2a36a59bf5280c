"""Accounts (issue 15, item 3): list and read users, disable and enable them; a disabled user is 401 on every
route at once, also with a token issued before; its requests keep their history; the district wall holds."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import audit_events, auth
from tests.harbor import request_body
from tests.walls import load_dover

API = "/api/v1/users"


def test_list_filters_and_reads(harbor: TestClient) -> None:
    listed = harbor.get(API, headers=auth("aud-1"))
    assert listed.status_code == 200, listed.text
    ids = [u["id"] for u in listed.json()["users"]]
    assert ids == sorted(ids) and {"sro-1", "prin-1", "aud-1", "parent-ana"} <= set(ids)
    sros = harbor.get(API, params={"role": "sro"}, headers=auth("admin")).json()["users"]
    assert [u["id"] for u in sros] == ["sro-1"]
    assert sros[0]["school_ids"] == ["hhs"] and sros[0]["disabled"] is False and sros[0]["disabled_at"] is None
    at_hhs = {u["id"] for u in harbor.get(API, params={"school_id": "hhs"}, headers=auth("admin")).json()["users"]}
    assert {"sro-1", "prin-1", "t-1"} <= at_hhs and "prin-2" not in at_hhs
    assert harbor.get(API, params={"district_id": "hrps", "role": "principal"},
                      headers=auth("admin")).json()["users"][0]["id"] in ("prin-1", "prin-2")
    one = harbor.get(f"{API}/parent-ana", headers=auth("aud-1"))
    assert one.status_code == 200 and one.json()["children"][0]["student_id"] == "st-a"
    assert harbor.get(f"{API}/nobody", headers=auth("admin")).status_code == 404


def test_pages_follow_the_cursor(harbor: TestClient) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = harbor.get(API, params=params, headers=auth("admin")).json()
        seen += [u["id"] for u in page["users"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) and "sro-1" in seen


@pytest.mark.parametrize("caller", ["sro-1", "prin-1", "parent-ana", "t-1"])
def test_only_admin_and_auditor_read_accounts(harbor: TestClient, caller: str) -> None:
    assert harbor.get(API, headers=auth(caller)).status_code == 403
    assert harbor.get(f"{API}/sro-1", headers=auth(caller)).status_code == 403


def test_only_admin_disables(harbor: TestClient) -> None:
    for caller in ("aud-1", "prin-1", "sro-1"):
        resp = harbor.post(f"{API}/t-1/disable", headers=auth(caller))
        assert resp.status_code == 403, caller
    assert harbor.post(f"{API}/nobody/disable", headers=auth("admin")).status_code == 404
    assert harbor.post(f"{API}/admin/disable", headers=auth("admin")).status_code == 409  # not oneself


def test_disabled_user_is_401_everywhere_with_an_earlier_token_and_keeps_history(harbor: TestClient) -> None:
    earlier = auth("sro-1")  # issued before the disable
    made = harbor.post("/api/v1/disclosure-requests", json=request_body(fields=["name"]), headers=earlier)
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    off = harbor.post(f"{API}/sro-1/disable", headers=auth("admin"))
    assert off.status_code == 200 and off.json()["disabled"] is True and off.json()["disabled_at"]
    routes = [("GET", f"/api/v1/disclosure-requests/{request_id}"), ("GET", "/api/v1/disclosure-requests"),
              ("POST", "/api/v1/disclosure-requests"), ("GET", "/api/v1/policy"), ("GET", API),
              ("GET", "/api/v1/students/st-a/disclosure-record"), ("POST", "/api/v1/decisions/preview")]
    for method, path in routes:
        resp = harbor.request(method, path, headers=earlier, json=request_body(fields=["name"]))
        assert resp.status_code == 401, (method, path, resp.status_code)
        assert resp.headers["content-type"].startswith("application/problem+json")
    # The history stays: the request, its record entry and its audit trail still name the disabled user.
    seen = harbor.get(f"/api/v1/disclosure-requests/{request_id}", headers=auth("admin"))
    assert seen.status_code == 200 and seen.json()["requester"] == "sro-1"
    assert any(e["actor_id"] == "sro-1" for e in audit_events(harbor, "aud-1", request_id=request_id))
    assert [e["data"]["id"] for e in audit_events(harbor, "aud-1", type="user.disabled")] == ["sro-1"]
    # Disabling twice changes nothing; enabling lets the same token in again.
    assert harbor.post(f"{API}/sro-1/disable", headers=auth("admin")).status_code == 200
    assert len(audit_events(harbor, "aud-1", type="user.disabled")) == 1
    on = harbor.post(f"{API}/sro-1/enable", headers=auth("admin"))
    assert on.status_code == 200 and on.json()["disabled"] is False
    assert harbor.get(f"/api/v1/disclosure-requests/{request_id}", headers=earlier).status_code == 200
    assert [e["data"]["id"] for e in audit_events(harbor, "aud-1", type="user.enabled")] == ["sro-1"]


def test_another_districts_users_are_walled_off(harbor: TestClient) -> None:
    load_dover(harbor)
    d2 = {u["id"] for u in harbor.get(API, headers=auth("aud-2")).json()["users"]}
    assert d2 == {"adm-2", "aud-2", "prin-d2", "cns-2"}
    hrps = {u["id"] for u in harbor.get(API, headers=auth("adm-1")).json()["users"]}
    assert "sro-1" in hrps and not hrps & d2 and "admin" not in hrps  # the platform admin is no district's
    assert harbor.get(API, params={"district_id": "hrps"}, headers=auth("aud-2")).json()["users"] == []
    everyone = {u["id"] for u in harbor.get(API, params={"limit": 1000}, headers=auth("admin")).json()["users"]}
    assert d2 | hrps | {"admin"} <= everyone
    for path in (f"{API}/sro-1", f"{API}/admin"):
        missing = harbor.get(f"{API}/no-such-user", headers=auth("adm-2"))
        walled = harbor.get(path, headers=auth("adm-2"))
        assert (walled.status_code, walled.json()) == (missing.status_code, missing.json()) == (404, missing.json())
    for action in ("disable", "enable"):
        walled = harbor.post(f"{API}/sro-1/{action}", headers=auth("adm-2"))
        missing = harbor.post(f"{API}/no-such-user/{action}", headers=auth("adm-2"))
        assert (walled.status_code, walled.json()) == (missing.status_code, missing.json())
    assert harbor.get("/api/v1/policy", headers=auth("sro-1")).status_code == 200  # untouched


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 5000}, {"role": "a b"}, {"school_id": "x" * 300},
                                    {"cursor": "\x01"}])
def test_bad_filters_are_422(harbor: TestClient, params: dict[str, object]) -> None:
    resp = harbor.get(API, params=params, headers=auth("admin"))
    assert resp.status_code in (400, 422) and resp.headers["content-type"].startswith("application/problem+json")


def test_put_user_keeps_identities_and_refuses_anothers(harbor: TestClient) -> None:
    body = {"name": "Teacher", "role": "staff", "school_ids": ["hhs"],
            "identities": [{"issuer": "https://login.example/tenant", "subject": "t-1@hrps.example"}]}
    assert harbor.put(f"{API}/t-1", json=body, headers=auth("admin")).status_code == 200
    got = harbor.get(f"{API}/t-1", headers=auth("admin")).json()
    assert got["identities"] == body["identities"]
    # Left out, they stay; another user may not take them.
    assert harbor.put(f"{API}/t-1", json={"name": "Teacher", "role": "staff"}, headers=auth("admin")).status_code == 200
    assert harbor.get(f"{API}/t-1", headers=auth("admin")).json()["identities"] == body["identities"]
    taken = harbor.put(f"{API}/prin-1", json={**body, "name": "Dr. Chen", "role": "principal"}, headers=auth("admin"))
    assert taken.status_code == 422 and taken.json()["errors"][0]["loc"] == ["body", "identities", 0]
    for bad in ({"issuer": "", "subject": "x"}, {"issuer": "https://x", "subject": " padded "},
                {"issuer": "https://x", "subject": "a\x00b"}, {"issuer": "https://x" + "x" * 600, "subject": "s"}):
        resp = harbor.put(f"{API}/t-1", json={**body, "identities": [bad]}, headers=auth("admin"))
        assert resp.status_code == 422, bad
    changed = audit_events(harbor, "aud-1", type="config.changed")
    assert any(e["data"].get("identity_issuers") == ["https://login.example/tenant"] for e in changed)
    assert "t-1@hrps.example" not in str(changed)  # claim values are not audited
    cleared = harbor.put(f"{API}/t-1", json={"name": "Teacher", "role": "staff", "identities": []},
                         headers=auth("admin"))
    assert cleared.status_code == 200 and harbor.get(f"{API}/t-1", headers=auth("admin")).json()["identities"] == []


def test_the_accounts_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/users"]) and {"get", "put"} <= set(paths["/api/v1/users/{user_id}"])
    assert "post" in paths["/api/v1/users/{user_id}/disable"] and "post" in paths["/api/v1/users/{user_id}/enable"]
    put = paths["/api/v1/users/{user_id}"]["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert put.endswith("/UserIn")


def test_a_disabled_user_is_401_on_every_api_route(harbor: TestClient) -> None:
    """Done when (issue 15): the next request is 401 on every route, with a token issued before the disable."""
    earlier = auth("prin-1")
    assert harbor.post(f"{API}/prin-1/disable", headers=auth("admin")).status_code == 200
    harbor.app.state.auth_failures.per_minute = 10_000  # type: ignore[attr-defined]  # 401s here, never 429
    paths = harbor.get("/openapi.json").json()["paths"]
    routes = [(method.upper(), path) for path, item in paths.items() if path.startswith("/api/v1") for method in item]
    assert len(routes) > 20
    for method, template in routes:
        path = template.replace("{", "").replace("}", "")  # every path parameter becomes its own name
        resp = harbor.request(method, path, headers=earlier, json={})
        assert resp.status_code == 401, (method, template, resp.status_code)
