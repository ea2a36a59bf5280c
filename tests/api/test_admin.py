"""Admin routes (API.md sections 4-5): happy paths, 401, 403 and 422 with nothing stored."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import DISTRICT, STUDENT, auth, load_district

PROBLEM = "application/problem+json"


def test_happy_path_loads_and_reads_a_record(client: TestClient) -> None:
    load_district(client)
    resp = client.get("/api/v1/students/st-a", headers=auth("admin"))
    assert resp.status_code == 200
    body = resp.json()
    assert body["fields"]["religion"] == "Synthetic-religion-value"
    assert body["school_id"] == "hhs" and body["district_id"] == "hrps"


def test_put_is_idempotent_and_reports_update(client: TestClient) -> None:
    load_district(client)
    resp = client.put("/api/v1/districts/hrps", json=DISTRICT, headers=auth("admin"))
    assert resp.status_code == 200


def test_put_student_answer_holds_no_values(client: TestClient) -> None:
    load_district(client)
    resp = client.put("/api/v1/students/st-a", json=STUDENT, headers=auth("admin"))
    assert "Synthetic-religion-value" not in resp.text


def test_an_opt_out_change_is_audited_as_configuration(client: TestClient) -> None:
    """R-AUD-3: opt-outs are configuration changes; the event names the fields, never a value."""
    load_district(client)
    client.put("/api/v1/students/st-a", json={**STUDENT, "directory_opt_out": ["photo"]}, headers=auth("admin"))
    client.put("/api/v1/students/st-a", json={**STUDENT, "directory_opt_out": ["photo"]}, headers=auth("admin"))
    client.put("/api/v1/students/st-a", json={**STUDENT, "directory_opt_out": []}, headers=auth("admin"))
    events = client.get("/api/v1/audit/events", params={"type": "config.changed", "student_id": "st-a"},
                        headers=auth("admin")).json()["events"]
    opt_outs = [e["data"] for e in events if e["data"].get("entity") == "directory_opt_out"]
    assert [(d["added"], d["removed"]) for d in opt_outs] == [(["photo"], []), ([], ["photo"])]


ROUTES: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/districts/hrps", DISTRICT),
    ("/api/v1/schools/hhs", {"district_id": "hrps", "name": "HHS"}),
    ("/api/v1/users/u-1", {"name": "U", "role": "staff"}),
    ("/api/v1/students/st-a", STUDENT),
    ("/api/v1/incidents/INC-1", {"school_id": "hhs", "occurred_at": "2025-03-07T12:10:00-05:00",
                                 "classification": "WEAPON"}),
]


@pytest.mark.parametrize(("path", "body"), ROUTES)
def test_no_token_is_401_problem(client: TestClient, path: str, body: dict[str, Any]) -> None:
    resp = client.put(path, json=body)
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(("path", "body"), ROUTES)
def test_wrong_role_is_403_problem(client: TestClient, path: str, body: dict[str, Any]) -> None:
    load_district(client)
    resp = client.put(path, json=body, headers=auth("sro-1"))
    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith(PROBLEM)


def test_get_student_is_admin_only(client: TestClient) -> None:
    load_district(client)
    assert client.get("/api/v1/students/st-a", headers=auth("sro-1")).status_code == 403
    assert client.get("/api/v1/students/nobody", headers=auth("admin")).status_code == 404


def _mutated(base: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


BAD: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/users/u-9", {"name": "U", "role": "sheriff"}),
    ("/api/v1/users/u-9", {"name": "U", "role": "staff", "agency_type": "militia"}),
    ("/api/v1/users/u-9", {"name": "U", "role": "staff", "sro_certified_until": "2025-13-40"}),
    ("/api/v1/users/u-9", {"name": "x" * 10_001, "role": "staff"}),
    ("/api/v1/districts/hrps", _mutated(DISTRICT, ["annual_notifications", 0, "sro_purposes"], ["SNOOPING"])),
    ("/api/v1/districts/hrps", _mutated(DISTRICT, ["timezone"], "Mars/Olympus")),
    ("/api/v1/districts/hrps", _mutated(DISTRICT, ["mou", "signed_on"], 12)),
    ("/api/v1/incidents/INC-9", {"school_id": "hhs", "occurred_at": "2025-03-07T12:10:00-05:00",
                                 "classification": "JAYWALKING"}),
    ("/api/v1/incidents/INC-9", {"school_id": "hhs", "occurred_at": "2025-03-07T12:10:00",
                                 "classification": "WEAPON"}),
    ("/api/v1/incidents/INC-9", {"school_id": "hhs", "occurred_at": "2025-03-07T12:10:00-05:00",
                                 "classification": "WEAPON", "students": [{"student_id": "st-a", "role": "suspect"}]}),
    ("/api/v1/students/st-z", {**STUDENT, "school_id": "nowhere"}),
    ("/api/v1/students/st-z", {**STUDENT, "date_of_birth": "yesterday"}),
    ("/api/v1/students/st-z", {**STUDENT, "fields": {"name": 5}}),
]


@pytest.mark.parametrize(("path", "body"), BAD)
def test_bad_input_is_422_and_stores_nothing(client: TestClient, path: str, body: dict[str, Any]) -> None:
    load_district(client)
    before = client.get("/api/v1/audit/events?type=config.changed", headers=auth("admin"))
    resp = client.put(path, json=body, headers=auth("admin"))
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    assert "Synthetic-religion-value" not in resp.text
    if path.startswith("/api/v1/students/st-z"):
        assert client.get("/api/v1/students/st-z", headers=auth("admin")).status_code == 404
    if path.startswith("/api/v1/users/u-9"):
        assert client.put("/api/v1/users/u-9", json={"name": "U", "role": "staff"},
                          headers=auth("admin")).status_code == 201
    after = client.get("/api/v1/audit/events?type=config.changed", headers=auth("admin"))
    if before.status_code == 200 and path.startswith("/api/v1/districts"):
        assert len(after.json()["events"]) == len(before.json()["events"])


@pytest.mark.parametrize("raw", [b"{", b"[]", b'{"name": }', b"\xff\xfe", b'"just a string"'])
def test_malformed_json_is_4xx_never_500(client: TestClient, raw: bytes) -> None:
    resp = client.put("/api/v1/users/u-1", content=raw, headers={**auth("admin"), "content-type": "application/json"})
    assert resp.status_code in (400, 422)
    assert resp.headers["content-type"].startswith(PROBLEM)


def test_oversized_body_is_413(client: TestClient) -> None:
    raw = b'{"name": "' + b"a" * (1024 * 1024 + 10) + b'", "role": "staff"}'
    resp = client.put("/api/v1/users/u-1", content=raw, headers={**auth("admin"), "content-type": "application/json"})
    assert resp.status_code == 413


def test_unknown_route_is_problem_404(client: TestClient) -> None:
    resp = client.get("/api/v1/nothing-here", headers=auth("admin"))
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith(PROBLEM)
