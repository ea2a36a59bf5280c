"""The policy version: sha256 over every file of the policy directory, in sorted relative-path order."""

from __future__ import annotations

import hashlib
from pathlib import Path


def policy_version(policy_dir: Path) -> str:
    digest = hashlib.sha256()
    root = Path(policy_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()
