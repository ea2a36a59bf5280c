"""Importing the project's OneRoster 1.1 and 1.2 sample bundles, re-importing them, and changing a row."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEntry
from app.db.models import School, Student, StudentField, User
from app.records.local import LocalRecordStore
from tests.records.conftest import DATA, Importer, audit_count

STUDENTS = {"st-1001", "st-1002", "st-1003", "st-1004", "st-1005", "st-1006"}


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_sample_bundle_maps_to_catalogue_fields(version: str, run_import: Importer,
                                                sessions: sessionmaker[Session]) -> None:
    summary = run_import(DATA / f"oneroster-{version}")

    assert (summary.students_created, summary.parents_created, summary.schools_created) == (6, 4, 2)
    with sessions() as s:
        store = LocalRecordStore(s)
        assert {sch.id: sch.district_id for sch in s.scalars(select(School))} == {"hhs": "hrps", "bes": "hrps"}
        student = s.get(Student, "st-1001")
        assert student is not None
        assert (student.district_id, student.school_id, str(student.date_of_birth), student.grade_level) == (
            "hrps", "hhs", "2009-06-14", "10")
        values = store.read("st-1001", store.field_names("st-1001"))
        assert values["name"] == "Jordan Alves"
        assert values["race_ethnicity"] == "White; Hispanic or Latino"
        assert values["place_of_birth"] == "Sao Paulo, BR"
        assert values["neighborhood"] == "01652"
        assert values["date_of_birth"] == "2009-06-14"
        assert values["student_id"] == "100101"
        # Columns without a catalogue name are kept unclassified; a password is never kept.
        assert values["oneroster:sex"] == "M"
        assert "oneroster:email" in values
        assert not any("password" in name for name in values)
        kindergarten = store.read("st-1005", ["grade_level"])
        assert kindergarten == {"grade_level": "K"}
        # Guardians become parent accounts linked through agentSourcedIds (from either side).
        rivera = s.get(User, "pa-2004")
        assert rivera is not None and rivera.role == "parent" and rivera.district_id == "hrps"
        assert [(c["student_id"], c["relationship"]) for c in rivera.children] == [
            ("st-1004", "guardian"), ("st-1005", "guardian")]
        okafor = s.get(User, "pa-2002")
        assert okafor is not None and okafor.student_ids == ["st-1002"]
        # Teachers and relatives are not imported: their roles are the district's to assign.
        assert s.get(User, "tc-3001") is None and s.get(User, "rl-4001") is None
        assert set(s.scalars(select(Student.id))) == STUDENTS
        assert audit_count(s, "record.loaded") == 6


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_reimport_changes_nothing_and_appends_nothing(version: str, run_import: Importer,
                                                      sessions: sessionmaker[Session]) -> None:
    run_import(DATA / f"oneroster-{version}")
    with sessions() as s:
        before = audit_count(s)
        fields_before = s.execute(select(StudentField.student_id, StudentField.name, StudentField.value)).all()

    summary = run_import(DATA / f"oneroster-{version}")

    assert not summary.changed
    assert (summary.students_unchanged, summary.parents_unchanged) == (6, 4)
    with sessions() as s:
        assert audit_count(s) == before
        assert sorted(s.execute(select(StudentField.student_id, StudentField.name, StudentField.value)).all()) == \
            sorted(fields_before)


def test_changed_row_updates_and_is_audited_by_field_name(run_import: Importer, sessions: sessionmaker[Session],
                                                          bundle_copy: Callable[[str], Path]) -> None:
    bundle = bundle_copy("1.1")
    run_import(bundle)
    with sessions() as s, s.begin():
        # Fields the district added by hand survive an import.
        s.add(StudentField(student_id="st-1002", name="iep:2025-01-10:accommodations", value="x", source="staff"))
    users = bundle / "users.csv"
    users.write_text(users.read_text(encoding="utf-8").replace("Amara,Okafor", "Amara,Okafor-Bello"),
                     encoding="utf-8")
    demographics = bundle / "demographics.csv"
    demographics.write_text(demographics.read_text(encoding="utf-8").replace("US,MA,Boston", "NG,,Lagos"),
                            encoding="utf-8")
    with sessions() as s:
        before = audit_count(s, "record.loaded")

    summary = run_import(bundle)

    assert (summary.students_updated, summary.students_unchanged) == (1, 5)
    with sessions() as s:
        store = LocalRecordStore(s)
        assert store.read("st-1002", ["name", "place_of_birth", "iep:2025-01-10:accommodations"]) == {
            "name": "Amara Okafor-Bello", "place_of_birth": "Lagos, NG", "iep:2025-01-10:accommodations": "x"}
        entries = s.scalars(select(AuditEntry).where(AuditEntry.type == "record.loaded")
                            .order_by(AuditEntry.seq)).all()
        assert len(entries) == before + 1
        assert entries[-1].student_id == "st-1002"
        data = json.loads(entries[-1].data)
        assert data["changed"] == ["name", "place_of_birth"]
        assert data["created"] is False
        # Field names only: no value from the record reaches the audit log.
        assert "Okafor" not in entries[-1].data and "Lagos" not in entries[-1].data


def test_import_refuses_an_unconfigured_district(sessions: sessionmaker[Session]) -> None:
    from app.policy.vocabulary import load_vocabulary
    from app.records.oneroster import ImportRefusedError, import_oneroster
    from tests.factories import PROJECT

    with sessions() as s, pytest.raises(ImportRefusedError, match="not configured"), s.begin():
        import_oneroster(s, DATA / "oneroster-1.1", "elsewhere", load_vocabulary(PROJECT / "policies"))


def test_every_import_entry_names_the_districts_wall(run_import: Importer, sessions: sessionmaker[Session],
                                                     vocab: Any) -> None:
    """With a second district configured, the import's config.changed and import.completed entries (which name
    no student) still belong to the imported district, so its auditors read them and the other district's do not."""
    from app.domain.districts.schemas import DistrictIn
    from app.domain.districts.service import put_district
    from app.records.oneroster.writer import ACTOR_ID
    from tests.factories import DISTRICT
    from tests.records.conftest import ADMIN

    with sessions() as session, session.begin():
        put_district(session, ADMIN, "d2", DistrictIn.model_validate({**DISTRICT, "name": "Dover"}), vocab)
    run_import(DATA / "oneroster-1.1")
    with sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.actor_id == ACTOR_ID)).all()
    assert {e.type for e in entries} == {"record.loaded", "config.changed", "import.completed"}
    assert {e.district_id for e in entries} == {"hrps"}
