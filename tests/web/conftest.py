"""Page tests: the Harbor district behind the pages, signed in through the demo sign-in (demo mode) with CSRF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.factories import bootstrap_admin, make_settings
from tests.harbor import NOW, load_harbor

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, user_id: str) -> None:
    client.cookies.clear()
    page = client.get("/signin")
    assert page.status_code == 200, page.text[:500]
    resp = client.post("/signin/demo", data={"user_id": user_id, "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert resp.status_code == 303, resp.text[:500]


def post_form(client: TestClient, page_path: str, action: str, data: dict[str, object]) -> object:
    page = client.get(page_path)
    assert page.status_code == 200, page.text[:500]
    return client.post(action, data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=False)


@pytest.fixture
def pages(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, tmp_path, clock_start=NOW, demo=True))
    with TestClient(app, raise_server_exceptions=False) as c:
        bootstrap_admin(c)
        load_harbor(c)
        yield c
