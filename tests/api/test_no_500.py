"""Bad input never gets a 500 (API.md section 3): arbitrary JSON thrown at every write route is a 4xx or a
decision, never a server error, and nothing in the answer echoes a record value."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import auth
from tests.harbor import VALUES

ROUTES: list[tuple[str, str, str]] = [
    ("POST", "/api/v1/disclosure-requests", "sro-1"),
    ("POST", "/api/v1/decisions/preview", "sro-1"),
    ("POST", "/api/v1/students/st-a/consents", "admin"),
    ("POST", "/api/v1/emergencies", "prin-1"),
    ("POST", "/api/v1/legal-orders", "admin"),
    ("POST", "/api/v1/reports", "admin"),
    ("PUT", "/api/v1/districts/hrps", "admin"),
    ("PUT", "/api/v1/users/u-x", "admin"),
    ("PUT", "/api/v1/students/st-x", "admin"),
    ("PUT", "/api/v1/incidents/INC-X", "admin"),
]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=30),
                    st.sampled_from(["2025-13-45", "st-a", "LE_RESPONSE", "*", "", "2025-03-10T10:00:00"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                            max_size=4), max_leaves=12)
KEYS = st.sampled_from(["student_id", "purpose", "fields", "kind", "school_id", "signed_by", "threat", "role",
                        "name", "imminence", "necessary_fields", "recipients", "timezone", "mou", "date_of_birth",
                        "classification", "students", "consent_ids", "emergency_id", "legal_order_id"])
BODIES = st.dictionaries(KEYS, JSON, max_size=8) | JSON


@pytest.mark.parametrize(("method", "path", "user"), ROUTES)
def test_arbitrary_bodies_never_500(harbor: TestClient, method: str, path: str, user: str) -> None:
    headers = auth(user)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=BODIES)
    def run(body: Any) -> None:
        resp = harbor.request(method, path, json=body, headers=headers)
        assert resp.status_code < 500, (path, body, resp.text)
        for value in VALUES.values():
            assert value not in resp.text

    run()
