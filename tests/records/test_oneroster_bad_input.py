"""Each kind of bad bundle is refused with its file, line and column, and nothing is imported (one transaction)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import School, Student, User
from app.records.oneroster import MAX_FILE_BYTES, BundleError
from tests.records.conftest import Importer, audit_count


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def missing_column(b: Path) -> None:
    _edit(b / "users.csv", ",givenName,", ",given_name,")


def bad_date(b: Path) -> None:
    _edit(b / "demographics.csv", "2010-02-03", "2010-02-30")


def unknown_org(b: Path) -> None:
    _edit(b / "users.csv", '"hrps,bes"', '"hrps,nowhere"')


def duplicate_id(b: Path) -> None:
    lines = (b / "users.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (b / "users.csv").write_text("".join([*lines, lines[3]]), encoding="utf-8")


def wrong_version(b: Path) -> None:
    _edit(b / "manifest.csv", "oneroster.version,1.1", "oneroster.version,1.0")


def not_utf8(b: Path) -> None:
    data = (b / "users.csv").read_bytes()
    (b / "users.csv").write_bytes(data.replace(b"Linh,Tran", b"Linh,Tr\xe2n", 1))


def too_big(b: Path) -> None:
    with (b / "enrollments.csv").open("ab") as fh:
        fh.write(b"#" * (MAX_FILE_BYTES + 1))


def missing_birth_date(b: Path) -> None:
    # Found only while writing, after the schools were written: the rollback must undo them too.
    _edit(b / "demographics.csv", "2007-01-15", "")


CASES = [
    (missing_column, "users.csv", 1, "givenName", "required column is missing"),
    (bad_date, "demographics.csv", 3, "birthDate", "not a date"),
    (unknown_org, "users.csv", 5, "orgSourcedIds", "refers to an org"),
    (duplicate_id, "users.csv", 14, "sourcedId", "duplicate sourcedId (first on line 4)"),
    (wrong_version, "manifest.csv", 3, "value", "unsupported oneroster.version"),
    (not_utf8, "users.csv", 4, None, "not UTF-8"),
    (too_big, "enrollments.csv", None, None, "over 25 MB"),
    (missing_birth_date, "users.csv", 7, "sourcedId", "no birthDate"),
]


@pytest.mark.parametrize(("damage", "file", "line", "column", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_bundle_is_refused_whole(damage: Callable[[Path], None], file: str, line: int | None,
                                     column: str | None, message: str, run_import: Importer,
                                     sessions: sessionmaker[Session], bundle_copy: Callable[[str], Path]) -> None:
    bundle = bundle_copy("1.1")
    damage(bundle)
    with sessions() as s:
        events = audit_count(s)

    with pytest.raises(BundleError) as caught:
        run_import(bundle)

    err = caught.value
    assert (err.file, err.line, err.column) == (file, line, column)
    assert message in str(err)
    assert file in str(err) and (line is None or f"line {line}" in str(err))
    with sessions() as s:
        for model in (Student, School, User):
            assert s.scalar(select(func.count()).select_from(model)) == 0
        assert audit_count(s) == events


def test_error_message_never_echoes_the_cell(run_import: Importer, bundle_copy: Callable[[str], Path]) -> None:
    bundle = bundle_copy("1.2")
    _edit(bundle / "demographics.csv", "2009-06-14", "14/06/2009")
    with pytest.raises(BundleError) as caught:
        run_import(bundle)
    assert "14/06/2009" not in str(caught.value)
    assert "demographics.csv, line 2, column 4 (birthDate)" in str(caught.value)


def test_delta_missing_file_is_refused(run_import: Importer, bundle_copy: Callable[[str], Path]) -> None:
    bundle = bundle_copy("1.2")
    (bundle / "roles.csv").unlink()
    with pytest.raises(BundleError, match=r"roles\.csv"):
        run_import(bundle)
