"""The verifier's hot loops (shared by the sequential walk and the parallel range workers)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class Walk:
    expected: int
    last_hash: str
    checked: int = 0
    problem: str | None = None
    bad_seq: int | None = None


def walk_fast(rows: Sequence[tuple[Any, ...]], walk: Walk, count: int) -> bool:
    """The hot loop over (hash, prev_hash || body): True, with `walk` advanced, only if the whole batch is intact.

    No seq is read: seq is the primary key and the scan covers lo < seq <= hi, so `count` rows means no gap. The scan
    keeps only rows whose prev_hash is 64 characters, so `startswith(last)` is exact equality of prev_hash (a longer
    prev_hash could otherwise take characters from body and still hash the same)."""
    if len(rows) != count:
        return False
    sha256 = hashlib.sha256
    last = walk.last_hash.encode()
    for digest, hashed in rows:
        if not hashed.startswith(last) or sha256(hashed).hexdigest() != digest:
            return False
        last = digest.encode()
    walk.expected, walk.last_hash, walk.checked = walk.expected + count, last.decode(), walk.checked + count
    return True


def walk_rows(rows: Sequence[tuple[Any, ...]], walk: Walk) -> None:
    """The hot loop: locals only, two comparisons and one sha256 per entry."""
    sha256 = hashlib.sha256
    expected, last_hash, checked = walk.expected, walk.last_hash, walk.checked
    for seq, prev, digest, hashed in rows:
        if seq != expected:
            walk.problem, walk.bad_seq = "gap", expected
            break
        if prev != last_hash:
            walk.problem, walk.bad_seq = "broken_link", seq
            break
        # hashed is prev || body: every format version hashes its body text the same way.
        if sha256(hashed).hexdigest() != digest:
            walk.problem, walk.bad_seq = "hash_mismatch", seq
            break
        last_hash = digest
        expected += 1
        checked += 1
    walk.expected, walk.last_hash, walk.checked = expected, last_hash, checked
