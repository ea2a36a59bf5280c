"""The gate's one-query load (app/domain/disclosures/student_query.py) yields exactly the facts the ORM rows give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from app.db.artifacts import Emergency
from app.db.models import District, School, Student, StudentField
from app.domain import facts_builder as fb
from app.domain.disclosures import student_query
from app.domain.disclosures.config_version import district_config
from app.records.local import LocalRecordStore

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STORE = LocalRecordStore()


def _district(session: Session) -> District:
    district = District(
        id="d1", name="Test", timezone="America/New_York", mou_signed_on=date(2024, 8, 1), mou_withdrawn_on=None,
        mou_filed_with_dese=True, home_language_duty=["es"], calendar={"holidays": ["2026-03-04"]},
        law_enforcement_units=[{"id": "leu1", "name": "Unit", "supervisor": "sup"}],
        settings={"redisclosure_notice_version": "RN-2", "emergency_review_hours": 6},
        annual_notifications=[{
            "school_year": "2025-2026", "starts_on": "2025-08-15", "ends_on": "2026-06-30",
            "issued_on": "2025-08-10", "names_sros": True, "sro_purposes": ["LE_RESPONSE"],
            "directory_fields": ["name", "grade_level"], "directory_opt_out_closes_on": "2025-09-15"}],
        updated_at=NOW)
    session.add_all([district, School(id="s1", district_id="d1", name="High", grades=["9"])])
    return district


def _student(session: Session, student_id: str, fields: dict[str, str]) -> Student:
    student = Student(id=student_id, district_id="d1", school_id="s1", date_of_birth=date(2010, 5, 6),
                      grade_level="10", enrolled=True, left_on=None, home_language="es",
                      directory_opt_out=["photo"], updated_at=NOW)
    session.add(student)
    session.flush()
    session.add_all([StudentField(student_id=student_id, name=n, value=f"value {n}", source=s)
                     for n, s in fields.items()])
    return student


def _emergency(session: Session) -> Emergency:
    emergency = Emergency(
        id="em1", district_id="d1", school_id="s1", declared_by="prin-1", declared_at=NOW, starts_at=NOW,
        review_at=NOW + timedelta(hours=4), ended_at=None,
        body={"student_ids": ["st-1"], "threat": "A specific threat.", "imminence": "imminent",
              "recipients": ["sro-1"], "necessary_fields": {"name": "why"}, "recipient_fields": {"ems": ["x"]}})
    session.add(emergency)
    return emergency


def test_one_query_gives_the_orm_facts(session: Session) -> None:
    district = _district(session)
    student = _student(session, "st-1", {"name": "staff", "note:c1": "sole_possession", "leu_report:r1": "leu"})
    emergency = _emergency(session)
    session.commit()

    found = student_query.find(session, STORE, "st-1", "em1")

    assert found is not None
    assert found.field_sources == {"name": "staff", "note:c1": "sole_possession", "leu_report:r1": "leu"}
    orm_student_facts = fb.student_facts(student, STORE.field_names(session, "st-1"), [])
    assert fb.student_facts(found.student, found.field_sources, []) == orm_student_facts == found.student_facts
    assert fb.district_facts(found.district) == fb.district_facts(district) == found.district_facts
    assert found.district_config == district_config(district)
    assert found.emergency is not None
    assert fb.emergency_facts(found.emergency) == fb.emergency_facts(emergency) == found.emergency_facts
    assert found.emergency.district_id == "d1"
    assert found.district.mou_filed_with_dese is True
    for view, row in ((found.student, student), (found.district, district), (found.emergency, emergency)):
        table = type(row).__table__  # type: ignore[attr-defined]
        assert {c.key: getattr(view, c.key) for c in table.c} == {c.key: getattr(row, c.key) for c in table.c}


def test_a_changed_row_is_read_anew(session: Session) -> None:
    """The views and facts are memoised on the row's content: any change in a column gives new ones."""
    district = _district(session)
    _student(session, "st-1", {"name": "staff"})
    session.commit()
    before = student_query.find(session, STORE, "st-1", None)
    assert before is not None and before == student_query.find(session, STORE, "st-1", None)

    district.settings = {**district.settings, "emergency_review_hours": 2}
    district.mou_withdrawn_on = date(2026, 3, 1)
    session.add(StudentField(student_id="st-1", name="photo", value="v", source="staff"))
    after = student_query.find(session, STORE, "st-1", None)

    assert after is not None
    assert after.district_facts.emergency_review_hours == 2 and after.district_facts.mou_withdrawn_on is not None
    assert after.district_config != before.district_config
    assert after.student_facts.field_names == {"name", "photo"}
    assert before.district_facts.emergency_review_hours == 6  # what was handed out earlier is never changed


def test_no_fields_no_emergency_unknown_student(session: Session) -> None:
    _district(session)
    _student(session, "st-2", {})
    session.commit()

    found = student_query.find(session, STORE, "st-2", None)
    assert found is not None and found.field_sources == {} and found.emergency is None
    cited_unknown = student_query.find(session, STORE, "st-2", "em-none")
    assert cited_unknown is not None and cited_unknown.emergency is None
    assert student_query.find(session, STORE, "st-unknown", None) is None


def test_sees_what_this_transaction_changed(session: Session) -> None:
    _district(session)
    _student(session, "st-1", {"name": "staff"})
    emergency = _emergency(session)
    session.commit()

    emergency.ended_at = NOW + timedelta(hours=1)  # pending, not flushed: the Core read must still see it
    session.add(StudentField(student_id="st-1", name="photo", value="v", source="staff"))

    found = student_query.find(session, STORE, "st-1", "em1")
    assert found is not None and found.emergency is not None
    assert found.emergency.ended_at == NOW + timedelta(hours=1)
    assert found.field_sources == {"name": "staff", "photo": "staff"}
