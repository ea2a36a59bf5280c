"""The landing page, the demo sign-in, the session cookie, CSRF and sign-out."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from tests.factories import make_settings
from tests.web.conftest import csrf_of, sign_in


def test_landing_is_a_page_not_a_404(pages: TestClient) -> None:
    resp = pages.get("/")
    assert resp.status_code == 200
    assert "text/html" in resp.headers["content-type"]
    assert 'href="/signin"' in resp.text
    assert resp.headers["cache-control"] == "no-store"


def test_demo_sign_in_lists_users_and_sets_a_safe_cookie(pages: TestClient) -> None:
    page = pages.get("/signin")
    assert "Dr. Chen" in page.text and "Officer Reyes" in page.text
    resp = pages.post("/signin/demo", data={"user_id": "prin-1", "csrf_token": csrf_of(page.text)},
                      follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/queue"
    cookie = next(h for h in resp.headers.get_list("set-cookie") if h.startswith("gk_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie  # the test client is a local host; elsewhere the cookie is Secure
    assert pages.get("/queue").status_code == 200


def test_a_post_without_the_csrf_token_is_refused(pages: TestClient) -> None:
    pages.get("/signin")
    resp = pages.post("/signin/demo", data={"user_id": "prin-1", "csrf_token": "forged"}, follow_redirects=False)
    assert resp.status_code == 403
    assert "gk_session" not in resp.headers.get("set-cookie", "")
    sign_in(pages, "prin-1")
    resp = pages.post("/signout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert resp.status_code == 403
    page = pages.get("/queue")
    other_site = pages.post("/signout", data={"csrf_token": csrf_of(page.text)},
                            headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert other_site.status_code == 403


def test_sign_out_ends_the_session(pages: TestClient) -> None:
    sign_in(pages, "prin-1")
    page = pages.get("/queue")
    resp = pages.post("/signout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert resp.status_code == 303
    assert pages.get("/queue", follow_redirects=False).status_code == 303  # to the sign-in page


def test_a_tampered_cookie_is_no_session(pages: TestClient) -> None:
    sign_in(pages, "prin-1")
    value = pages.cookies.get("gk_session")
    assert value
    body, mac = value.split(".")
    pages.cookies.set("gk_session", body + "." + mac[:-2] + ("AA" if mac[-2:] != "AA" else "BB"))
    assert pages.get("/queue", follow_redirects=False).headers["location"] == "/signin"


def test_a_disabled_user_is_signed_out_at_once(pages: TestClient) -> None:
    from tests.factories import auth

    sign_in(pages, "prin-1")
    assert pages.get("/queue").status_code == 200
    assert pages.post("/api/v1/users/prin-1/disable", headers=auth("admin")).status_code == 200
    assert pages.get("/queue", follow_redirects=False).status_code == 303


def test_demo_sign_in_does_not_exist_outside_demo_mode(db_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(db_url, tmp_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/signin")
        assert page.status_code == 200 and "Demo users" not in page.text
        resp = client.post("/signin/demo", data={"user_id": "admin", "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
        assert resp.status_code == 404
        assert "gk_session" not in resp.headers.get("set-cookie", "")


def test_language_is_chosen_and_remembered(pages: TestClient) -> None:
    page = pages.get("/")
    resp = pages.post("/language", data={"lang": "es", "back": "/", "csrf_token": csrf_of(page.text)},
                      follow_redirects=False)
    assert resp.status_code == 303
    again = pages.get("/")
    assert '<html lang="es">' in again.text
    assert "Iniciar sesión" in again.text
    evil = pages.post("/language", data={"lang": "pt", "back": "//evil.example/", "csrf_token": csrf_of(again.text)},
                      follow_redirects=False)
    assert evil.headers["location"] == "/"
