"""OneRoster 1.1 / 1.2 CSV import (`gatekeeper import oneroster DIR --district ID`).

The whole import is one transaction: every file is read and checked first, then the changes are written and
audited, then committed. Any refusal leaves the database as it was. A bulk users.csv is the district's whole roster:
students, guardians and links it no longer holds are ended (audited; rows and history kept). A delta users.csv
changes the rows it lists, which may refer to students and guardians already imported; tobedeleted rows end.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import District, School
from app.policy.vocabulary import Vocabulary
from app.records.oneroster import repository as repo
from app.records.oneroster.bundle import Progress, load_bundle
from app.records.oneroster.csvfiles import MAX_FILE_BYTES, BundleError, ImportRefusedError
from app.records.oneroster.writer import ACTOR_ID, ImportSummary, write_bundle

__all__ = ["ACTOR_ID", "MAX_FILE_BYTES", "BundleError", "ImportRefusedError", "ImportSummary", "import_oneroster"]


def import_oneroster(session: Session, directory: Path, district_id: str, vocab: Vocabulary,
                     progress: Progress | None = None) -> ImportSummary:
    """Import a bundle in the caller's transaction (the caller commits). Raises ImportRefusedError (a BundleError names
    file, line and column) before or while writing; the caller's rollback then undoes everything."""
    if session.get(District, district_id) is None:
        # Creating the district here would mean inventing its MOU and annual notice: that is the admin's job.
        raise ImportRefusedError(f"district {district_id} is not configured; create it first with "
                            f"PUT /api/v1/districts/{district_id} (its MOU and annual notice are the admin's job)")
    known = session.scalars(select(School.id).where(School.district_id == district_id)).all()
    bundle = load_bundle(Path(directory), district_id, set(known), progress,
                         known_users=repo.known_users(session, district_id))
    return write_bundle(session, bundle, district_id, vocab, progress)
