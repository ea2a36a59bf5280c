"""Walking the chain. Reports the first bad seq and what is wrong with it.

Problems: `gap` (a seq is missing; a later one exists), `truncated` (the chain ends before the head row or a
checkpoint says it should), `broken_link` (prev_hash is not the previous entry's hash), `hash_mismatch` (the
entry's columns no longer hash to its stored hash), `seq_mismatch` (the head row disagrees with the last entry),
`checkpoint_mismatch` (the entry at a checkpoint's seq has another hash, or the checkpoint's signature is bad).
A filter column that no longer matches the hashed body is a `hash_mismatch` at its seq.

Speed: each entry's hashed text is stored (`body`), so rows come back as plain DBAPI tuples of
(seq, prev_hash, hash, prev_hash || body as bytes) and the Python loop is two comparisons and one sha256 per entry.
The filter columns are generated from body; one catalog read (schema.columns_are_derived) confirms they still are,
and only if not does verify also compare every row's columns with body in SQL (slow, exact). Started from a signed
checkpoint, the cost is only the entries after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from app.audit import repository as repo
from app.audit.chain import GENESIS_HASH
from app.audit.parallel import verify_ranges_in_parallel
from app.audit.schema import columns_are_derived
from app.audit.signing import checkpoint_signature_ok
from app.audit.verify_walk import Walk, walk_fast, walk_rows

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


def verify_chain(
    session: Session,
    *,
    checkpoint: Mapping[str, Any] | None = None,
    public_key: Ed25519PublicKey | None = None,
    from_checkpoint: bool = False,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
) -> VerifyResult:
    """Verify every entry up to the head row. With `checkpoint`, also require the entry at its seq to carry its
    hash (and, with `public_key`, a valid signature). With `from_checkpoint`, trust the signed checkpoint as the
    anchor and check only the entries after it."""
    head_seq, head_hash = repo.read_head(session)
    head = {"seq": head_seq, "hash": head_hash}
    derived = columns_are_derived(session)

    def bad(walk: Walk, problem: str, seq: int | None, detail: str) -> VerifyResult:
        return VerifyResult(False, walk.checked, head, seq, problem, detail)

    walk = Walk(expected=1, last_hash=GENESIS_HASH)
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
            anchor = Walk(expected=cp_seq, last_hash=str(rows[0][1]))
            walk_rows(rows, anchor)
            if anchor.problem == "hash_mismatch" or (not derived and repo.first_column_mismatch(session, cp_seq - 1,
                                                                                            cp_seq) is not None):
                return bad(walk, "hash_mismatch", cp_seq, "the checkpointed entry was altered")
            if rows[0][2] != cp_hash:
                return bad(walk, "checkpoint_mismatch", cp_seq, "history was rewritten before the checkpoint")
            walk = Walk(expected=cp_seq + 1, last_hash=cp_hash, checked=1)
        elif cp_seq == 0 and cp_hash != GENESIS_HASH:
            return bad(walk, "checkpoint_mismatch", 0, "an empty-chain checkpoint must carry the genesis hash")

    last = verify_ranges_in_parallel(session, walk.expected - 1, walk.last_hash, head_seq, workers, batch_size) if (
        derived and workers > 1) else None
    if last is not None:
        # Every entry hashes and links; what is left is what the sequential walk checks at its end.
        walk = Walk(expected=head_seq + 1, last_hash=last, checked=walk.checked + head_seq - walk.expected + 1)
        if cp_seq is not None and cp_seq > 0 and repo.scan_batch(session, cp_seq - 1, cp_seq)[0][2] != cp_hash:
            return bad(walk, "checkpoint_mismatch", cp_seq, "history was rewritten before the checkpoint")
    ranges = [(lo, min(lo + batch_size, head_seq)) for lo in range(walk.expected - 1, head_seq, batch_size)]
    with _Prefetch(repo.scanner(session, fast=True) if derived else None, ranges) as batches:
        for lo, hi in ranges:
            start = walk.expected
            batch = batches.next()
            if batch is None or not walk_fast(batch, walk, hi - lo):
                # Something is wrong in this batch (or the schema is not ours): walk it again, row by row with seq
                # and prev_hash, to name the first bad seq and the problem.
                batches.wait()
                batch = repo.scan_batch(session, lo, hi)
                walk_rows(batch, walk)
                column_bad = None if derived else repo.first_column_mismatch(session, lo, hi)
                if column_bad is not None and (walk.bad_seq is None or column_bad <= walk.bad_seq):
                    return bad(walk, "hash_mismatch", column_bad, "a filter column no longer matches the hashed body")
                if walk.problem is not None:
                    return bad(walk, walk.problem, walk.bad_seq, _DETAILS[walk.problem])
            # Both row layouts end in (hash, hashed bytes).
            if cp_seq is not None and start <= cp_seq < walk.expected and batch[cp_seq - start][-2] != cp_hash:
                return bad(walk, "checkpoint_mismatch", cp_seq, "history was rewritten before the checkpoint")
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


Rows = Sequence[tuple[Any, ...]]


class _Prefetch:
    """Reads batch k+1 in one worker thread while the caller hashes batch k. The database's own work (SQLite's
    page reads run without the GIL; PostgreSQL works in its own process) then overlaps the hashing. Only one read
    is ever in flight, so the connection is never used by two threads at once."""

    def __init__(self, read: Callable[[int, int], Rows] | None, ranges: list[tuple[int, int]]) -> None:
        self.read, self.ranges, self.index = read, ranges, 0
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: Future[Rows] | None = None

    def __enter__(self) -> _Prefetch:
        self._submit()
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True)

    def _submit(self) -> None:
        if self.read is not None and self.index < len(self.ranges):
            self.pending = self.pool.submit(self.read, *self.ranges[self.index])

    def next(self) -> Rows | None:
        """This batch's fast rows (None without a fast reader); starts reading the next one."""
        if self.pending is None:
            return None
        rows = self.pending.result()
        self.index += 1
        self._submit()
        return rows

    def wait(self) -> None:
        """Let the read in flight finish, so the caller may use the connection itself."""
        if self.pending is not None:
            self.pending.result()
            self.pending = None
            self.read = None
