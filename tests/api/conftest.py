from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.factories import bootstrap_admin, make_settings
from tests.harbor import NOW, load_harbor


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, tmp_path))
    with TestClient(app, raise_server_exceptions=False) as c:
        bootstrap_admin(c)
        yield c


@pytest.fixture
def harbor(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The Harbor district loaded, with the legal clock at the fixture's now."""
    app = create_app(make_settings(db_url, tmp_path, clock_start=NOW))
    with TestClient(app, raise_server_exceptions=False) as c:
        bootstrap_admin(c)
        load_harbor(c)
        yield c
