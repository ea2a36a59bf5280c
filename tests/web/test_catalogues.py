"""The Spanish and Portuguese catalogues translate every message of the pages, and the pages never carry a record
value in a title or a URL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.web.messages import missing, msgids
from tests.factories import auth
from tests.harbor import VALUES, request_body
from tests.web.conftest import sign_in


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_every_message_is_translated(lang: str) -> None:
    assert len(msgids()) > 150
    assert missing(lang) == []


def test_no_value_in_a_title_or_a_link(pages: TestClient) -> None:
    created = pages.post("/api/v1/disclosure-requests", json={**request_body(fields=["name", "grade_level"]),
                                                             "recipient": "sro-1"}, headers=auth("prin-1")).json()
    sign_in(pages, "sro-1")
    page = pages.get(f"/requests/{created['id']}")
    assert VALUES["name"] in page.text  # the recipient sees the released value in the page body
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    links = re.findall(r'(?:href|action)="([^"]*)"', page.text)
    for value in VALUES.values():
        assert title and value not in title.group(1)
        assert all(value not in link for link in links)
