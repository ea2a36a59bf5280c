"""Bad input gets a 4xx problem, never a 500, and changes nothing (API.md section 3; issue 12 item 5).

The cases: NUL in ids, references, field names, a population and a student value (PostgreSQL cannot store NUL);
white space in a field name; references longer than the audit guard's strings (the request schema takes its limits
from app/audit/guard.py); control characters and unknown values in query strings. Each answer is a problem that
does not echo the value, and the audit chain head does not move. The limits agree at the boundary: a reference of
exactly the guard's length is decided (201), one character more is a 422.

The real-server cases (a chunked body, refusals on odd paths, concurrent PUTs, and the log scan) are in
test_bad_input_server.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.audit import repository as audit_repo
from app.audit.guard import MAX_STRING
from app.db.session import make_engine
from app.errors import describe_error
from tests.factories import auth
from tests.harbor import VALUES, request_body

BAD_VALUE = "Nul\x00Synthetic bad-put value"
BAD_DOB = "2007-07-17"


def _student(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"school_id": "hhs", "date_of_birth": BAD_DOB, "grade_level": "10",
                            "fields": {"name": "Bad-put Synthetic Name", "photo": "Bad-put synthetic photo"}}
    body.update(over)
    return body


# (case, method, path, caller, body); every one is a 422.
BAD_BODIES: list[tuple[str, str, str, str, dict[str, Any]]] = [
    *[(f"nul in {member}", "POST", "/api/v1/disclosure-requests", "sro-1", request_body(**{member: "x\x00y"}))
      for member in ("emergency_id", "consent_id", "case_id", "legal_order_id", "report_id", "reuse_of",
                     "justification")],
    ("nul in a consent_ids item", "POST", "/api/v1/disclosure-requests", "sro-1",
     request_body(consent_ids=["c\x00"])),
    ("nul in a field name", "POST", "/api/v1/disclosure-requests", "sro-1", request_body(fields=["na\x00me"])),
    ("control character in a field name", "POST", "/api/v1/disclosure-requests", "sro-1",
     request_body(fields=["na\x1fme"])),
    ("space in a field name", "POST", "/api/v1/disclosure-requests", "sro-1", request_body(fields=["class schedule"])),
    ("nul in population", "POST", "/api/v1/disclosure-requests", "sro-1",
     {"student_id": None, "purpose": "LE_RESPONSE", "fields": ["name"], "population": "grade\x0010",
      "school_id": "hhs"}),
    ("emergency_id over the guard's length", "POST", "/api/v1/disclosure-requests", "sro-1",
     request_body(emergency_id="e" * (MAX_STRING + 1))),
    ("consent_ids item over the guard's length", "POST", "/api/v1/disclosure-requests", "sro-1",
     request_body(consent_ids=["c" * (MAX_STRING + 1)])),
    ("reuse_of of 10,000 characters", "POST", "/api/v1/disclosure-requests", "sro-1",
     request_body(reuse_of="r" * 10_000)),
    ("nul in a preview's emergency_id", "POST", "/api/v1/decisions/preview", "sro-1",
     request_body(emergency_id="x\x00")),
    ("nul in a student value", "PUT", "/api/v1/students/st-bad", "admin",
     _student(fields={"name": BAD_VALUE, "photo": "Bad-put synthetic photo"})),
    ("nul in a student field name", "PUT", "/api/v1/students/st-bad", "admin",
     _student(fields={"na\x00me": "Bad-put Synthetic Name"})),
    ("space in a student field name", "PUT", "/api/v1/students/st-bad", "admin",
     _student(fields={"class schedule": "Bad-put synthetic schedule"})),
    ("nul in a student's name", "PUT", "/api/v1/students/st-bad", "admin", _student(name="Bad\x00put")),
    ("grade_level longer than its column", "PUT", "/api/v1/students/st-bad", "admin", _student(grade_level="g" * 21)),
    ("nul in an existing student's value", "PUT", "/api/v1/students/st-a", "admin",
     {"school_id": "hhs", "date_of_birth": "2009-06-14", "fields": {**VALUES, "religion": BAD_VALUE}}),
]
# (case, query, caller, status)
BAD_QUERIES: list[tuple[str, str, str, int]] = [
    ("status with a space", "/api/v1/disclosure-requests?status=PENDING%20APPROVAL", "prin-1", 422),
    ("status with a control character", "/api/v1/disclosure-requests?status=%1f", "prin-1", 400),
    ("school_id with a control character", "/api/v1/disclosure-requests?school_id=%1f", "prin-1", 400),
    ("cursor with nul", "/api/v1/disclosure-requests?cursor=%00", "prin-1", 400),
    ("student_id with nul", "/api/v1/audit/events?student_id=x%00", "aud-1", 400),
    ("actor_id with nul", "/api/v1/audit/events?actor_id=x%00", "admin", 400),
    ("export filter with nul", "/api/v1/audit/export?student_id=x%00", "admin", 400),
]
NEVER_ECHOED = [*VALUES.values(), "Bad-put", "Nul", BAD_DOB, "x\\u0000y", "\x00"]


def _head(client: TestClient) -> tuple[int, str]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return audit_repo.read_head(session)


def _assert_problem(resp: Any, status: int, case: str) -> None:
    assert resp.status_code == status, (case, resp.status_code, resp.text[:300])
    assert resp.headers["content-type"].startswith("application/problem+json"), case
    body = resp.json()
    assert body["status"] == status and body["title"] and body["detail"], case
    for value in NEVER_ECHOED:
        assert value not in resp.text, (case, value)


def test_bad_bodies_are_422_and_change_nothing(harbor: TestClient) -> None:
    record_before = harbor.get("/api/v1/students/st-a", headers=auth("admin")).json()
    for case, method, path, user, body in BAD_BODIES:
        head = _head(harbor)
        resp = harbor.request(method, path, json=body, headers=auth(user))
        _assert_problem(resp, 422, case)
        assert _head(harbor) == head, f"{case}: the audit chain moved"
    assert harbor.get("/api/v1/students/st-bad", headers=auth("admin")).status_code == 404
    assert harbor.get("/api/v1/students/st-a", headers=auth("admin")).json() == record_before


def test_bad_query_strings_are_4xx_and_change_nothing(harbor: TestClient) -> None:
    for case, query, user, status in BAD_QUERIES:
        head = _head(harbor)
        _assert_problem(harbor.get(query, headers=auth(user)), status, case)
        assert _head(harbor) == head, f"{case}: the audit chain moved"


def test_references_at_the_guards_length_are_decided(harbor: TestClient) -> None:
    """The schema's limit is the guard's: a request citing references of exactly MAX_STRING characters is decided
    and audited (they cite nothing that exists), so no reference the schema admits can fail the audit append."""
    refs = {member: member[0] * MAX_STRING for member in
            ("emergency_id", "consent_id", "legal_order_id", "report_id", "case_id", "reuse_of")}
    resp = harbor.post("/api/v1/disclosure-requests", json=request_body(**refs, consent_ids=["k" * MAX_STRING]),
                       headers=auth("sro-1"))
    assert resp.status_code == 201, resp.text[:300]
    spaced = harbor.post("/api/v1/disclosure-requests", headers=auth("sro-1"),
                         json=request_body(purpose="THREAT_ASSESSMENT", case_id="TA case 2025 / 7"))
    assert spaced.status_code == 201, spaced.text[:300]


def test_every_engine_hides_bound_parameters(db_url: str) -> None:
    """Item 6: a failed statement's error message (and so any traceback) never quotes the values bound to it."""
    engine = make_engine(db_url, hide_parameters=False)
    try:
        assert engine.hide_parameters is True
    finally:
        engine.dispose()


def test_an_unexpected_error_is_logged_without_its_message(db_url: str) -> None:
    """Item 6: what the fail-closed handler logs names the error's type and where it was raised, never its message,
    which quotes the statement and (on an engine made without make_engine) its bound values."""
    raw = create_engine(db_url)
    try:
        with pytest.raises(DBAPIError) as caught, raw.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": VALUES["religion"]})
    finally:
        raw.dispose()
    assert VALUES["religion"] in str(caught.value)  # the message would have leaked it
    described = describe_error(caught.value)
    assert VALUES["religion"] not in described and "no_such_table" not in described
    assert type(caught.value).__name__ in described
