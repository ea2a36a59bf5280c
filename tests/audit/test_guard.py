"""No record value ever lands in an audit row (R-AUD-4), whatever the event type."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.audit.chain import payload_digest
from app.audit.guard import AuditGuardError, sensitive_values
from app.audit.queries import export
from app.audit.service import append
from app.domain.access import EVERYWHERE

EVENT_TYPES = [
    "request.created", "request.decided", "request.approved", "request.denied", "request.failed",
    "approval.rejected", "data.released", "data.read", "record.viewed", "consent.recorded", "consent.revoked",
    "emergency.declared", "emergency.rejected", "emergency.requested", "emergency.ended", "legal_order.recorded",
    "legal_order.validated", "legal_order.rejected", "report.recorded", "config.changed", "record.loaded",
    "auth.failed", "access.forbidden", "audit.queried", "policy.loaded", "audit.checkpointed",
]
NAME = "Jordan Alves"
DATE_OF_BIRTH = "2009-06-14"
RELIGION = "Catholic"


def _leaks(value: str) -> list[dict[str, Any]]:
    """Ways a careless caller could put a record value into audit data."""
    return [
        {"value": value},
        {"released": {"name": value}},
        {"fields": [{"field": "name", "value": value}]},
        {"name": value},
        {"date_of_birth": value},
        {"payload": {"religion": value}},
        {"note": value},
        {"justification": f"saw {value} at the gym"},
        {"outcomes": {"religion": value}},
        {"detail": {"deep": {"deeper": {"deepest": [value]}}}},
    ]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_record_values_are_refused_for_every_event_type(engine: Engine, factory: sessionmaker[Session],
                                                        event_type: str) -> None:
    key = b"d" * 32
    with factory() as s:
        for value in (NAME, DATE_OF_BIRTH, RELIGION):
            with sensitive_values([NAME, DATE_OF_BIRTH, RELIGION]):
                for data in _leaks(value):
                    with pytest.raises(AuditGuardError) as caught:
                        append(s, event_type, actor_id="sro-1", student_id="st-a", data=data)
                    assert value not in str(caught.value)  # The refusal never echoes the value either.
        # The legitimate shape: field names, outcomes and a keyed digest of what left.
        append(s, event_type, actor_id="sro-1", student_id="st-a", request_id="req_1",
               data={"fields_released": ["name", "religion"], "outcome": "RELEASE", "rules": ["R-SO-1"],
                     "digest": payload_digest(key, {"name": NAME, "religion": RELIGION})},
               policy_version="sha256:p", config_version="sha256:c")
        s.commit()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_entries")).all()
        heads = conn.execute(text("SELECT * FROM audit_chain_head")).all()
    exported = "".join(export(factory, scope=EVERYWHERE, format="jsonl")) + "".join(
        export(factory, scope=EVERYWHERE, format="csv"))
    dumped = repr(rows) + repr(heads) + exported
    assert len(rows) == 1
    for value in (NAME, DATE_OF_BIRTH, RELIGION):
        assert value not in dumped


def test_taint_catches_values_no_shape_rule_can(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        append(s, "data.read", actor_id="sro-1", data={"field": DATE_OF_BIRTH})  # Unregistered: looks like a date.
        with sensitive_values([DATE_OF_BIRTH]), pytest.raises(AuditGuardError):
            append(s, "data.read", actor_id="sro-1", data={"field": DATE_OF_BIRTH})
        s.rollback()


@pytest.mark.parametrize("data", [
    {"method": "GET", "path": "/api/v1/students/st a", "problem": "Signature has expired"},
    {"method": "POST", "path": "/api/v1/x", "role": "sro", "why": "role"},
    {"entity": "user", "id": "user with spaces", "created": True, "role": "sro"},
    {"created": False, "added": ["iep:2024-10-03:bip"], "removed": [], "changed": ["family:father:immigration_status"]},
    {"entity": "incident", "id": "INC-101", "students": ["st-a", "v-1"]},
    {"fields": [{"field": "religion", "outcome": "WITHHOLD", "reason": "W_37L", "reasons": ["W_37L"],
                 "rules": ["R-37L-3"]}], "decision": "ALLOW_REDACTED", "purpose": "LE_RESPONSE"},
])
def test_the_shapes_the_service_writes_are_accepted(factory: sessionmaker[Session], data: dict[str, Any]) -> None:
    with factory() as s:
        append(s, "config.changed", actor_id="admin", data=data)
        s.rollback()


@pytest.mark.parametrize(("type_", "data"), [
    ("Request Decided", {}),
    ("request.decided", {"score": 0.5}),
    ("request.decided", {"x": b"bytes"}),
    ("request.decided", {"x": "line\nbreak"}),
    ("request.decided", {"x": "y" * 600}),
    ("request.decided", {"a": {"b": {"c": {"d": {"e": 1}}}}}),
])
def test_malformed_events_are_refused(factory: sessionmaker[Session], type_: str, data: dict[str, Any]) -> None:
    with factory() as s, pytest.raises(AuditGuardError):
        append(s, type_, actor_id="admin", data=data)
