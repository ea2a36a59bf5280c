"""The policy versions the service has loaded, kept whole in the database (issue 13, item 6): the repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from app import clock
from app.audit.service import append
from app.db.artifacts import PolicyVersion
from app.db.upsert import get_or_insert
from app.policy.table import PolicyError
from app.policy.version import policy_files, version_of


def files_of(session: Session, version: str) -> dict[str, str] | None:
    row = session.get(PolicyVersion, version)
    return None if row is None else dict(row.files)


def keep_loaded(session_factory: Callable[[], Session], policy_dir: Path, version: str) -> None:
    """Store the loaded policy's files under its version (once) and audit policy.loaded, in one transaction.
    Refuses, so the service does not start, if the directory no longer hashes to the version that was loaded."""
    raw = policy_files(policy_dir)
    if version_of(raw) != version:
        raise PolicyError(f"{policy_dir} changed while it was loaded; start the service again")
    try:
        files = {name: content.decode("utf-8") for name, content in raw.items()}
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{policy_dir}: every policy file must be UTF-8 text ({exc})") from exc
    with session_factory() as session:
        # Two workers starting at once store it once: get_or_insert orders them.
        _, stored = get_or_insert(session, PolicyVersion, version, files=files, loaded_at=clock.now())
        append(session, "policy.loaded", actor_id="gatekeeper", data={"policy_version": version, "stored": stored},
               policy_version=version)
        session.commit()
