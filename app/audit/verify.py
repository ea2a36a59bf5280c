"""Walking the chain. Reports the first bad seq and what is wrong with it.

Problems: `gap` (a seq is missing; a later one exists), `truncated` (the chain ends before the head row or a
checkpoint says it should), `broken_link` (prev_hash is not the previous entry's hash), `hash_mismatch` (the
entry's columns no longer hash to its stored hash), `seq_mismatch` (the head row disagrees with the last entry),
`checkpoint_mismatch` (the entry at a checkpoint's seq has another hash, or the checkpoint's signature is bad).

Speed: rows come back as plain DBAPI tuples in seq ranges with each entry's hashed text already concatenated by the
database from its columns (repository.scan_sql), so the Python loop is two comparisons and one sha256 per entry.
Started from a signed checkpoint, the cost is only the entries after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from app.audit import repository as repo
from app.audit.chain import GENESIS_HASH
from app.audit.signing import checkpoint_signature_ok

BATCH_SIZE = 50_000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head: dict[str, Any]
    first_bad_seq: int | None = None
    problem: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Walk:
    expected: int
    last_hash: str
    checked: int = 0
    problem: str | None = None
    bad_seq: int | None = None


def verify_chain(
    session: Session,
    *,
    checkpoint: Mapping[str, Any] | None = None,
    public_key: Ed25519PublicKey | None = None,
    from_checkpoint: bool = False,
    batch_size: int = BATCH_SIZE,
) -> VerifyResult:
    """Verify every entry up to the head row. With `checkpoint`, also require the entry at its seq to carry its
    hash (and, with `public_key`, a valid signature). With `from_checkpoint`, trust the signed checkpoint as the
    anchor and check only the entries after it."""
    head_seq, head_hash = repo.read_head(session)
    head = {"seq": head_seq, "hash": head_hash}

    def bad(walk: _Walk, problem: str, seq: int | None, detail: str) -> VerifyResult:
        return VerifyResult(False, walk.checked, head, seq, problem, detail)

    walk = _Walk(expected=1, last_hash=GENESIS_HASH)
    cp_seq: int | None = None
    cp_hash = ""
    if checkpoint is not None:
        try:
            cp_seq, cp_hash = int(checkpoint["seq"]), str(checkpoint["hash"])
        except (KeyError, TypeError, ValueError):
            return bad(walk, "checkpoint_mismatch", None, "the checkpoint is malformed")
        if public_key is not None and not checkpoint_signature_ok(public_key, checkpoint):
            return bad(walk, "checkpoint_mismatch", cp_seq, "the checkpoint signature does not verify")
        if cp_seq > head_seq:
            return bad(walk, "truncated", head_seq + 1, f"the checkpoint covers seq {cp_seq}; the head is {head_seq}")
        if from_checkpoint and cp_seq > 0:
            rows = repo.scan_batch(session, cp_seq - 1, cp_seq)
            if not rows:
                return bad(walk, "gap", cp_seq, "the checkpointed entry is missing")
            anchor = _Walk(expected=cp_seq, last_hash=str(rows[0][1]))
            _walk_rows(rows, anchor)
            if anchor.problem == "hash_mismatch":
                return bad(walk, "hash_mismatch", cp_seq, "the checkpointed entry was altered")
            if rows[0][2] != cp_hash:
                return bad(walk, "checkpoint_mismatch", cp_seq, "history was rewritten before the checkpoint")
            walk = _Walk(expected=cp_seq + 1, last_hash=cp_hash, checked=1)
        elif cp_seq == 0 and cp_hash != GENESIS_HASH:
            return bad(walk, "checkpoint_mismatch", 0, "an empty-chain checkpoint must carry the genesis hash")

    lo = walk.expected - 1
    while lo < head_seq:
        hi = min(lo + batch_size, head_seq)
        rows = repo.scan_batch(session, lo, hi)
        start = walk.expected
        _walk_rows(rows, walk)
        if walk.problem is not None:
            return bad(walk, walk.problem, walk.bad_seq, _DETAILS[walk.problem])
        if cp_seq is not None and start <= cp_seq < walk.expected and rows[cp_seq - start][2] != cp_hash:
            return bad(walk, "checkpoint_mismatch", cp_seq, "history was rewritten before the checkpoint")
        lo = hi
    if walk.expected <= head_seq:
        return bad(walk, "truncated", walk.expected, "the chain ends before the head row")
    if walk.last_hash != head_hash:
        return bad(walk, "seq_mismatch", head_seq, "the head row does not match the last entry")
    return VerifyResult(True, walk.checked, head)


_DETAILS = {
    "gap": "an entry is missing",
    "broken_link": "prev_hash is not the previous entry's hash",
    "hash_mismatch": "the entry does not hash to its stored hash",
}


def _walk_rows(rows: Sequence[tuple[Any, ...]], walk: _Walk) -> None:
    """The hot loop: locals only, two comparisons and one sha256 per entry."""
    sha256 = hashlib.sha256
    expected, last_hash, checked = walk.expected, walk.last_hash, walk.checked
    for seq, prev, digest, version, body in rows:
        if seq != expected:
            walk.problem, walk.bad_seq = "gap", expected
            break
        if prev != last_hash:
            walk.problem, walk.bad_seq = "broken_link", seq
            break
        # A NULL in a NOT NULL column makes the whole text NULL; an unknown format cannot be checked: both fail.
        if version != 1 or body is None or sha256((prev + body).encode()).hexdigest() != digest:
            walk.problem, walk.bad_seq = "hash_mismatch", seq
            break
        last_hash = digest
        expected += 1
        checked += 1
    walk.expected, walk.last_hash, walk.checked = expected, last_hash, checked
