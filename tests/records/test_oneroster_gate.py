"""End to end: after a OneRoster import, the gate withholds the section 37L fields it mapped from an SRO (W_37L)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.policy.vocabulary import load_vocabulary
from app.records.oneroster import import_oneroster
from tests.factories import DISTRICT, PROJECT, auth, bootstrap_admin, make_settings
from tests.records.conftest import DATA, drop_users

# Inside the sample district's 2024-25 notice, so the SRO is a school official and only section 37L bars apply.
NOW = "2025-03-10T10:00:00-05:00"


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(db_url, tmp_path, clock_start=NOW))
    with TestClient(app, raise_server_exceptions=False) as c:
        bootstrap_admin(c)
        assert c.put("/api/v1/districts/hrps", json=DISTRICT, headers=auth("admin")).status_code in (200, 201)
        with app.state.session_factory() as session, session.begin():
            import_oneroster(session, DATA / "oneroster-1.2", "hrps", load_vocabulary(PROJECT / "policies"))
        sro = {"name": "Officer Reyes", "role": "sro", "school_ids": ["hhs"], "sro_certified_until": "2025-06-30",
               "mou_contact": True}
        assert c.put("/api/v1/users/sro-1", json=sro, headers=auth("admin")).status_code in (200, 201)
        yield c


@pytest.mark.parametrize("field", ["race_ethnicity", "place_of_birth"])
def test_imported_37l_field_is_withheld_from_an_sro(client: TestClient, field: str) -> None:
    body = {"student_id": "st-1001", "purpose": "LE_RESPONSE", "fields": [field]}
    response = client.post("/api/v1/disclosure-requests", json=body, headers=auth("sro-1"))

    assert response.status_code == 201, response.text
    decision = response.json()
    outcome = decision["fields"][0]
    assert (outcome["field"], outcome["outcome"], outcome["reason"]) == (field, "WITHHOLD", "W_37L")
    assert decision["released"] == {}


@pytest.mark.parametrize("left", ["st-1001", "pa-2001"])
def test_former_guardian_is_refused_the_record_of_disclosures(client: TestClient, tmp_path: Path, left: str) -> None:
    """Issue 12 item 9: after a bulk re-import without the student (or without the guardian), the former guardian
    may no longer read the child's record of disclosures."""
    path = "/api/v1/students/st-1001/disclosure-record"
    assert client.get(path, headers=auth("pa-2001")).status_code == 200
    bundle = tmp_path / "bundle"
    shutil.copytree(DATA / "oneroster-1.2", bundle)
    drop_users(bundle, left)
    app = client.app
    with app.state.session_factory() as session, session.begin():  # type: ignore[attr-defined]
        summary = import_oneroster(session, bundle, "hrps", load_vocabulary(PROJECT / "policies"))
    assert summary.links_removed == 1

    response = client.get(path, headers=auth("pa-2001"))

    assert response.status_code == 403, response.text
    # The district still reads it: the record and its history are kept.
    assert client.get(path, headers=auth("admin")).status_code == 200
