"""The policy version: sha256 over every file of the policy directory, in sorted relative-path order."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath


def policy_files(policy_dir: Path) -> dict[str, bytes]:
    """Every file the version covers, by relative path: what is kept in the database to replay under it."""
    root = Path(policy_dir)
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)}


def version_of(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files, key=lambda name: PurePosixPath(name).parts):  # the order of sorted Paths
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(files[name])
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def policy_version(policy_dir: Path) -> str:
    return version_of(policy_files(policy_dir))
