"""House rule 2: the session commits before the response is sent, so a failed commit is never a 2xx."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import auth


def test_failed_commit_gives_an_error_not_a_2xx(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_commit(self: Session, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Session, "commit", broken_commit)
    resp = client.put("/api/v1/users/u-1", json={"name": "U", "role": "staff"}, headers=auth("admin"))
    monkeypatch.undo()
    assert resp.status_code == 500
    assert resp.headers["content-type"].startswith("application/problem+json")
    # Nothing persisted: the user is created anew (201) afterwards.
    again = client.put("/api/v1/users/u-1", json={"name": "U", "role": "staff"}, headers=auth("admin"))
    assert again.status_code == 201
