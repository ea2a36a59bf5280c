"""R-REC-9 through disclosure_named_students: a released record that names another student is in that student's
record of disclosures, found by index; a request of another district never is; migration 0004 backfills the rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.artifacts import DisclosureNamedStudent, DisclosureRequest
from app.db.migrate import downgrade, upgrade
from app.db.session import make_engine, make_sessionmaker
from app.domain.disclosures import repository
from tests.factories import auth
from tests.harbor import EMERGENCY

REPORT = "incident_report:INC-101"
AT = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)


def _record(client: TestClient, student_id: str) -> list[dict[str, Any]]:
    resp = client.get(f"/api/v1/students/{student_id}/disclosure-record", headers=auth("aud-1"))
    assert resp.status_code == 200, resp.text
    entries: list[dict[str, Any]] = resp.json()["entries"]
    return entries


def test_an_unmasked_incident_report_is_in_the_named_students_record(harbor: TestClient) -> None:
    declared = harbor.post("/api/v1/emergencies", headers=auth("prin-1"), json={
        **EMERGENCY, "student_ids": ["st-a", "v-1"], "necessary_fields": {REPORT: "who was involved"}})
    assert declared.status_code == 201, declared.text
    created = harbor.post("/api/v1/disclosure-requests", headers=auth("sro-1"), json={
        "student_id": "st-a", "purpose": "EMERGENCY", "emergency_id": declared.json()["id"],
        "incident_id": "INC-101", "fields": [REPORT]})
    assert created.status_code == 201, created.text
    assert REPORT in created.json()["released"]  # the report itself, not its masked copy
    own = [e for e in _record(harbor, "st-a") if e["request_id"] == created.json()["id"]]
    assert [e["other_students"] for e in own] == [["v-1"]]
    named = [e for e in _record(harbor, "v-1") if e["request_id"] == created.json()["id"]]
    assert len(named) == 1 and named[0]["fields_released"] == [REPORT]


def _request(request_id: str, district_id: str, student_id: str, named: list[str]) -> DisclosureRequest:
    row = DisclosureRequest(
        id=request_id, district_id=district_id, student_id=student_id, school_id="s", caller_id="u",
        requester_id="u", recipient_id="u", purpose="LE_RESPONSE", body={}, decision="ALLOW", fields=[],
        use_restrictions=[], approvals=[], sealed=False, in_record=True, named_student_ids=[], explanation="",
        policy_version="p", config_version="c", created_at=AT, updated_at=AT)
    repository.set_named_students(row, named)
    return row


def test_a_request_of_another_district_never_appears(session: Session) -> None:
    session.add_all([
        _request("r-own", "hrps", "st-a", []),
        _request("r-names", "hrps", "v-1", ["st-a"]),
        _request("r-other-own", "d2", "st-a", []),       # the same student id in another district
        _request("r-other-names", "d2", "x-1", ["st-a"]),  # another district's record naming it
    ])
    session.commit()
    assert [r.id for r in repository.for_student_record(session, "hrps", "st-a")] == ["r-names", "r-own"]
    assert {r.id for r in repository.for_student_record(session, "d2", "st-a")} == {"r-other-own", "r-other-names"}
    assert repository.for_student_record(session, "d3", "st-a") == []
    links = session.execute(select(DisclosureNamedStudent.request_id, DisclosureNamedStudent.district_id)
                            .order_by(DisclosureNamedStudent.request_id)).all()
    assert [tuple(x) for x in links] == [("r-names", "hrps"), ("r-other-names", "d2")]


def test_renaming_replaces_the_rows(session: Session) -> None:
    row = _request("r-1", "hrps", "st-a", ["v-1", "v-2"])
    session.add(row)
    session.commit()
    repository.set_named_students(row, ["v-2"])
    session.commit()
    assert [r.id for r in repository.for_student_record(session, "hrps", "v-1")] == []
    assert [r.id for r in repository.for_student_record(session, "hrps", "v-2")] == ["r-1"]


def test_0004_backfills_from_named_student_ids(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0003")
    engine = make_engine(empty_db_url)
    factory = make_sessionmaker(engine)
    try:
        with factory() as s:  # rows as 0003 wrote them: the JSON list only
            for request_id, district_id, named in (("r-1", "hrps", ["v-2", "v-1"]), ("r-2", "hrps", []),
                                                   ("r-3", "d2", ["v-1"])):
                row = _request(request_id, district_id, "st-a", [])
                row.named_student_ids = named
                s.add(row)
            s.commit()
        upgrade(empty_db_url, "0004")
        with factory() as s:
            got = s.execute(select(DisclosureNamedStudent.request_id, DisclosureNamedStudent.student_id,
                                   DisclosureNamedStudent.district_id)
                            .order_by(DisclosureNamedStudent.request_id, DisclosureNamedStudent.student_id)).all()
            assert [tuple(x) for x in got] == [("r-1", "v-1", "hrps"), ("r-1", "v-2", "hrps"), ("r-3", "v-1", "d2")]
            assert [r.id for r in repository.for_student_record(s, "hrps", "v-1")] == ["r-1"]
            assert [r.id for r in repository.for_student_record(s, "d2", "v-1")] == ["r-3"]
        downgrade(empty_db_url, "0003")
        upgrade(empty_db_url)
        with factory() as s:
            assert len(s.scalars(select(DisclosureNamedStudent)).all()) == 3
    finally:
        engine.dispose()
