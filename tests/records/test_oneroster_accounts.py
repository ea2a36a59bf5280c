"""The OneRoster import switches off the accounts the SIS marks `enabledUser=false` or `tobedeleted` (issue 15,
item 3): guardians by their sourcedId, students' own accounts by id or link; audited as user.disabled (ids only);
another district's accounts and staff are never touched; an admin's enable is not undone by a later true."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEntry
from app.db.models import User
from app.domain.access import EVERYWHERE
from app.domain.districts.schemas import UserIn
from app.domain.districts.service import put_user
from app.domain.users.service import set_disabled
from app.policy.vocabulary import Vocabulary
from tests.records.conftest import Importer, delta_bundle

Copy = Callable[[str], Path]


def _set_enabled(bundle: Path, ids: set[str], value: str) -> None:
    path = bundle / "users.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        rows = [{**r, "enabledUser": value} if r["sourcedId"] in ids else r for r in reader]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)


def _disabled(s: Session) -> set[str]:
    return set(s.scalars(select(User.id).where(User.disabled_at.is_not(None))))


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_enabled_user_false_disables_guardian_and_student_accounts(
        version: str, run_import: Importer, sessions: sessionmaker[Session], bundle_copy: Copy,
        vocab: Vocabulary) -> None:
    bundle = bundle_copy(version)
    run_import(bundle)
    with sessions() as s, s.begin():
        # A student's own account, linked to its record; a staff account with a colliding id is never touched.
        put_user(s, None, "stu-1001", UserIn(name="Student account", role="student", student_ids=["st-1001"],
                                             district_id="hrps"), vocab)
        put_user(s, None, "t-9", UserIn(name="Teacher", role="staff", district_id="hrps"), vocab)
    _set_enabled(bundle, {"pa-2001", "st-1001"}, "false")
    summary = run_import(bundle)
    assert summary.accounts_disabled == 2
    with sessions() as s:
        assert _disabled(s) == {"pa-2001", "stu-1001"}
        entries = s.scalars(select(AuditEntry).where(AuditEntry.type == "user.disabled")).all()
        assert [json.loads(e.data)["ids"] for e in entries] == [["pa-2001", "stu-1001"]]
        assert "Alves" not in entries[0].data
        assert s.get(User, "pa-2001") is not None  # the row and its links stay
    # Re-import: nothing more to disable (the import appends nothing for accounts already off).
    assert run_import(bundle).accounts_disabled == 0
    with sessions() as s, s.begin():
        set_disabled(s, "admin", EVERYWHERE, "pa-2001", False)
    _set_enabled(bundle, {"pa-2001", "st-1001"}, "true")
    assert run_import(bundle).accounts_disabled == 0
    with sessions() as s:
        assert _disabled(s) == {"stu-1001"}  # true never re-enables: that is the district's call


def test_tobedeleted_guardian_is_disabled(run_import: Importer, sessions: sessionmaker[Session], bundle_copy: Copy,
                                          tmp_path: Path) -> None:
    run_import(bundle_copy("1.1"))
    delta = delta_bundle(tmp_path / "delta", "1.1", {"users": [
        {"sourcedId": "pa-2002", "status": "tobedeleted", "role": "guardian", "enabledUser": "true"}]})
    summary = run_import(delta)
    assert summary.accounts_disabled == 1 and summary.parents_ended == 1
    with sessions() as s:
        assert _disabled(s) == {"pa-2002"}
