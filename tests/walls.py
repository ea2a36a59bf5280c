"""A second district beside Harbor for the district-wall tests: Dover (d2), with its own admin, auditor, principal,
counsel and one student; and a few Harbor (hrps) artifacts for Dover's people to reach for.

The platform admin `admin` (created before any district, like the CLI's) belongs to no district and sees both.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import auth
from tests.harbor import CONSENT, EMERGENCY, HARBOR_DISTRICT, ORDER, request_body

D2 = "d2"
D2_USERS: dict[str, dict[str, Any]] = {
    "adm-2": {"name": "Dover privacy officer", "role": "admin", "district_id": D2},
    "aud-2": {"name": "Dover records custodian", "role": "auditor", "district_id": D2},
    "prin-d2": {"name": "Dover principal", "role": "principal", "title": "Principal", "district_id": D2,
                "school_ids": ["dhs"]},
    "cns-2": {"name": "Dover counsel", "role": "counsel", "district_id": D2},
}
# Harbor's own admin (the platform admin above has no district).
ADM_1 = {"name": "Harbor privacy officer", "role": "admin", "district_id": "hrps"}
D2_VALUES = {"name": "Zed Dover-Synthetic", "religion": "Dover-synthetic-faith-value"}



def put_ok(client: TestClient, path: str, body: dict[str, Any], by: str = "admin") -> None:
    resp = client.put(path, json=body, headers=auth(by))
    assert resp.status_code in (200, 201), (path, resp.text)


def load_dover(client: TestClient) -> None:
    """Dover and its people, loaded by the platform admin; Harbor's own admin beside them."""
    put_ok(client, f"/api/v1/districts/{D2}", {**HARBOR_DISTRICT, "name": "Dover Public Schools"})
    put_ok(client, "/api/v1/schools/dhs", {"district_id": D2, "name": "Dover High", "grades": ["9", "10"]})
    put_ok(client, "/api/v1/students/st-z", {"school_id": "dhs", "date_of_birth": "2009-05-01",
                                             "grade_level": "10", "fields": D2_VALUES})
    for uid, body in D2_USERS.items():
        put_ok(client, f"/api/v1/users/{uid}", body)
    put_ok(client, "/api/v1/users/adm-1", ADM_1)


def harbor_artifacts(client: TestClient) -> dict[str, str]:
    """One of each Harbor artifact, made by Harbor's people: their ids by kind."""
    made = {
        "consent": client.post("/api/v1/students/st-a/consents", json=CONSENT, headers=auth("prin-1")),
        "emergency": client.post("/api/v1/emergencies", json=EMERGENCY, headers=auth("prin-1")),
        "order": client.post("/api/v1/legal-orders", json=ORDER, headers=auth("admin")),
        "request": client.post("/api/v1/disclosure-requests", headers=auth("sro-1"),
                               json=request_body(fields=["name", "class_schedule"])),
    }
    for kind, resp in made.items():
        assert resp.status_code == 201, (kind, resp.text)
    return {kind: str(resp.json()["id"]) for kind, resp in made.items()}
