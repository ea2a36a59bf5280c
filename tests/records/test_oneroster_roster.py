"""A bulk users.csv is the district's whole roster: what it no longer holds is ended (audited, history kept). A delta
file may refer to students and guardians already imported, and its tobedeleted rows end them. Other districts are
never touched."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.audit.models import AuditEntry
from app.db.models import Student, StudentField, User
from app.domain.districts.schemas import ChildLink, DistrictIn, SchoolIn, UserIn
from app.domain.districts.service import put_district, put_school, put_user
from app.domain.students.schemas import StudentIn
from app.domain.students.service import put_student
from app.policy.vocabulary import Vocabulary
from app.records.oneroster import BundleError
from app.records.oneroster.command import describe
from tests.factories import DISTRICT
from tests.records.conftest import ADMIN, DATA, Importer, audit_count, delta_bundle, drop_users

Copy = Callable[[str], Path]
# Values of st-1001's record that must appear in no audit entry and no summary line.
VALUES = ("Jordan", "Alves", "2009-06-14", "100101", "617-555-0101", "Sao Paulo")


def _today() -> date:
    return clock.now().astimezone(ZoneInfo(DISTRICT["timezone"])).date()


def _links(s: Session, user_id: str) -> tuple[list[str], list[str]]:
    user = s.get(User, user_id)
    assert user is not None, "the account row is kept"
    return [c["student_id"] for c in user.children], list(user.student_ids)


def _entries(s: Session, after: int) -> list[AuditEntry]:
    return list(s.scalars(select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq)))


def _last_seq(s: Session) -> int:
    return max([e.seq for e in s.scalars(select(AuditEntry))] or [0])


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_bulk_reimport_without_a_student_ends_it_and_unlinks_its_guardian(
        version: str, run_import: Importer, sessions: sessionmaker[Session], bundle_copy: Copy) -> None:
    bundle = bundle_copy(version)
    run_import(bundle)
    with sessions() as s:
        seq = _last_seq(s)
        fields_before = s.scalars(select(StudentField.name).where(StudentField.student_id == "st-1001")).all()
    drop_users(bundle, "st-1001")

    summary = run_import(bundle)

    assert (summary.students_ended, summary.students_unchanged, summary.links_removed) == (1, 5, 1)
    assert (summary.parents_updated, summary.parents_ended, summary.parents_unchanged) == (1, 0, 3)
    line = describe(summary)
    assert "ended: 1 students" in line and "1 guardian links removed" in line
    assert not any(v in line for v in VALUES)
    with sessions() as s:
        student = s.get(Student, "st-1001")
        assert student is not None and (student.enrolled, student.left_on) == (False, _today())
        # History kept: the record's fields stay, only the enrolment ended.
        assert s.scalars(select(StudentField.name).where(StudentField.student_id == "st-1001")).all() == \
            fields_before
        assert _links(s, "pa-2001") == ([], [])
        assert _links(s, "pa-2002") == (["st-1002"], ["st-1002"])
        assert all(x.enrolled for x in s.scalars(select(Student).where(Student.id != "st-1001")))
        entries = _entries(s, seq)
        ended = [e for e in entries if e.type == "record.loaded"]
        assert [e.student_id for e in ended] == ["st-1001"]
        assert json.loads(ended[0].data)["ended"] is True
        assert json.loads(ended[0].data)["changed"] == ["enrolled", "left_on"]
        unlinked = [json.loads(e.data) for e in entries if e.type == "config.changed"
                    and json.loads(e.data)["entity"] == "parent_link"]
        assert [u["removed"] for u in unlinked] == [[["pa-2001", "st-1001"]]]
        completed = [json.loads(e.data) for e in entries if e.type == "import.completed"]
        assert completed[0]["students_ended"] == 1 and completed[0]["links_removed"] == 1
        assert not any(v in e.data for e in entries for v in VALUES)

    again = run_import(bundle)  # ending is idempotent: the same roster again changes nothing

    assert not again.changed and describe(again).startswith("nothing changed")


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_guardian_no_longer_in_the_roster_loses_every_link(version: str, run_import: Importer,
                                                          sessions: sessionmaker[Session], bundle_copy: Copy) -> None:
    bundle = bundle_copy(version)
    run_import(bundle)
    drop_users(bundle, "pa-2004")

    summary = run_import(bundle)

    assert (summary.parents_ended, summary.links_removed, summary.students_ended) == (1, 2, 0)
    with sessions() as s:
        assert _links(s, "pa-2004") == ([], [])
        rivera = s.get(User, "pa-2004")
        assert rivera is not None and rivera.role == "parent" and rivera.district_id == "hrps"
        assert all(x.enrolled for x in s.scalars(select(Student)))
        ended = [json.loads(e.data) for e in s.scalars(select(AuditEntry).where(AuditEntry.type == "config.changed"))
                 if json.loads(e.data).get("ended")]
        assert [e["ids"] for e in ended] == [["pa-2004"]]


def test_links_set_by_hand_survive_a_bulk_import_until_their_student_leaves(
        run_import: Importer, sessions: sessionmaker[Session], bundle_copy: Copy, vocab: Vocabulary) -> None:
    bundle = bundle_copy("1.1")
    run_import(bundle)
    with sessions() as s, s.begin():
        put_user(s, ADMIN, "pa-hand", UserIn(name="Court guardian", role="parent", district_id="hrps",
                                             children=[ChildLink(student_id="st-1002", rights_limited=True)]), vocab)

    assert not run_import(bundle).changed
    with sessions() as s:
        assert _links(s, "pa-hand") == (["st-1002"], ["st-1002"])

    drop_users(bundle, "st-1002")
    summary = run_import(bundle)

    assert (summary.students_ended, summary.links_removed) == (1, 2)  # pa-2002's imported link and the hand one
    with sessions() as s:
        assert _links(s, "pa-hand") == ([], [])


def test_delta_may_refer_to_guardians_and_students_already_imported(
        run_import: Importer, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run_import(DATA / "oneroster-1.1")
    delta = delta_bundle(tmp_path / "delta", "1.1", {
        "users": [
            # A new guardian of a student already imported.
            {"sourcedId": "pa-2005", "status": "active", "role": "guardian", "orgSourcedIds": "hrps",
             "givenName": "Ana", "familyName": "Cohen", "agentSourcedIds": "st-1006"},
            # A new student whose guardian is already imported.
            {"sourcedId": "st-1007", "status": "active", "role": "student", "orgSourcedIds": "hrps,hhs",
             "givenName": "Ines", "familyName": "Tran", "agentSourcedIds": "pa-2003", "grades": "09"},
        ],
        "demographics": [{"sourcedId": "st-1007", "status": "active", "birthDate": "2011-01-01"}],
    })

    summary = run_import(delta)

    assert (summary.students_created, summary.parents_created, summary.parents_updated) == (1, 1, 1)
    assert (summary.students_ended, summary.parents_ended, summary.links_removed) == (0, 0, 0)
    with sessions() as s:
        assert _links(s, "pa-2005") == (["st-1006"], ["st-1006"])
        assert _links(s, "pa-2003") == (["st-1003", "st-1007"], ["st-1003", "st-1007"])
        # A delta says nothing about the students it does not list: all stay enrolled.
        assert all(x.enrolled for x in s.scalars(select(Student)))
        assert _links(s, "pa-2001") == (["st-1001"], ["st-1001"])

    assert not run_import(delta).changed


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_delta_tobedeleted_rows_end_the_student_and_the_guardian(
        version: str, run_import: Importer, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    run_import(DATA / f"oneroster-{version}")
    gone = {"status": "tobedeleted", "dateLastModified": "2025-09-01T12:00:00.000Z"}
    files: dict[str, list[dict[str, str]]] = {"users": [{"sourcedId": "st-1003", **gone},
                                                        {"sourcedId": "pa-2004", **gone}]}
    if version == "1.2":
        files["roles"] = []  # a 1.2 delta need not repeat the roles of a user it deletes
    with sessions() as s:
        seq = _last_seq(s)

    summary = run_import(delta_bundle(tmp_path / "delta", version, files))

    assert (summary.students_ended, summary.parents_ended, summary.links_removed) == (1, 1, 3)
    with sessions() as s:
        st = s.get(Student, "st-1003")
        assert st is not None and (st.enrolled, st.left_on) == (False, _today())
        assert _links(s, "pa-2003") == ([], [])
        assert _links(s, "pa-2004") == ([], [])
        assert {x.id for x in s.scalars(select(Student).where(Student.enrolled.is_(False)))} == {"st-1003"}
        assert [e.student_id for e in _entries(s, seq) if e.type == "record.loaded"] == ["st-1003"]


def test_delta_refers_to_no_other_districts_user(run_import: Importer, sessions: sessionmaker[Session],
                                                 tmp_path: Path, vocab: Vocabulary) -> None:
    run_import(DATA / "oneroster-1.1")
    _other_district(sessions, vocab)
    delta = delta_bundle(tmp_path / "delta", "1.1", {"users": [
        {"sourcedId": "pa-2006", "status": "active", "role": "guardian", "orgSourcedIds": "hrps",
         "givenName": "Sam", "familyName": "Lee", "agentSourcedIds": "d2-st"}]})

    with pytest.raises(BundleError, match="neither in users.csv nor imported for this district"):
        run_import(delta)


def _other_district(sessions: sessionmaker[Session], vocab: Vocabulary) -> None:
    with sessions() as s, s.begin():
        put_district(s, ADMIN, "d2", DistrictIn.model_validate({**DISTRICT, "name": "Other"}), vocab)
        put_school(s, ADMIN, "d2-school", SchoolIn(district_id="d2", name="Other school"))
        put_student(s, ADMIN, "d2-st", StudentIn(school_id="d2-school", date_of_birth=date(2012, 5, 5),
                                                 fields={"name": "Other child"}), vocab)
        put_user(s, ADMIN, "d2-parent", UserIn(name="Other parent", role="parent", district_id="d2",
                                               children=[ChildLink(student_id="d2-st")]), vocab)


def test_bulk_import_never_ends_another_districts_students(run_import: Importer, sessions: sessionmaker[Session],
                                                           bundle_copy: Copy, vocab: Vocabulary) -> None:
    _other_district(sessions, vocab)
    bundle = bundle_copy("1.2")
    run_import(bundle)
    drop_users(bundle, "st-1001", "pa-2001")

    summary = run_import(bundle)

    assert (summary.students_ended, summary.parents_ended) == (1, 1)
    with sessions() as s:
        other = s.get(Student, "d2-st")
        assert other is not None and other.enrolled and other.left_on is None
        assert _links(s, "d2-parent") == (["d2-st"], ["d2-st"])


def test_bulk_file_without_students_is_refused(run_import: Importer, sessions: sessionmaker[Session],
                                               bundle_copy: Copy) -> None:
    bundle = bundle_copy("1.1")
    run_import(bundle)
    drop_users(bundle, *(f"st-100{i}" for i in range(1, 7)))

    with pytest.raises(BundleError, match="would end all 6 enrolled students"):
        run_import(bundle)
    with sessions() as s:
        assert all(x.enrolled for x in s.scalars(select(Student)))
        assert audit_count(s, "import.completed") == 1


def test_student_listed_again_is_re_enrolled(run_import: Importer, sessions: sessionmaker[Session],
                                             bundle_copy: Copy) -> None:
    run_import(DATA / "oneroster-1.1")
    bundle = bundle_copy("1.1")
    drop_users(bundle, "st-1001")
    run_import(bundle)

    summary = run_import(DATA / "oneroster-1.1")

    assert (summary.students_updated, summary.parents_updated) == (1, 1)
    with sessions() as s:
        student = s.get(Student, "st-1001")
        assert student is not None and (student.enrolled, student.left_on) == (True, None)
        assert _links(s, "pa-2001") == (["st-1001"], ["st-1001"])
