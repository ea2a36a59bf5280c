"""`gatekeeper audit verify-export`: an auditor checks an export and a signed checkpoint on their own machine, with
the published public key alone: no database, no private key, nothing written.

Each exported event is the entry exactly as hashed plus its links (app/audit/queries.py), so every entry's hash is
recomputed from its own content and previous hash, and consecutive entries must link. A full export (a platform
admin's, from seq 1) is the whole chain; a district's export holds only its district's entries, so links are
checked only where seqs are consecutive and the report says how many could not be. A checkpoint must carry a valid
signature of the given key, and the export must hold the entry at its seq with the hash it signed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.audit.chain import GENESIS_HASH, entry_hash
from app.audit.keys import key_id
from app.audit.signing import checkpoint_signature_ok


@dataclass(frozen=True)
class ExportResult:
    ok: bool
    checked: int
    first_seq: int | None = None
    last_seq: int | None = None
    unlinked_gaps: int = 0  # places where seqs jump (a district's export): the link there is not checkable
    checkpoint_seq: int | None = None
    first_bad_seq: int | None = None
    problem: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _event(line: str, number: int) -> dict[str, Any]:
    event = json.loads(line)
    if not isinstance(event, dict) or not isinstance(event.get("seq"), int):
        raise ValueError(f"line {number} is not an exported audit event")
    return event


def verify_export(lines: Iterable[str], public_key: Ed25519PublicKey,
                  checkpoint: Mapping[str, Any] | None = None, *, complete: bool = False) -> ExportResult:
    """Problems, as `audit verify` names them: bad_line, order (seqs not increasing), hash_mismatch, broken_link,
    gap (a `complete` export, the whole log from seq 1, misses a seq), checkpoint_mismatch (bad signature, another
    key, or another hash at its seq) and truncated (the export ends before the checkpoint's seq)."""
    if checkpoint is not None and not checkpoint_signature_ok(public_key, checkpoint):
        detail = (f"signed by {checkpoint.get('key_id')}, not by {key_id(public_key)}"
                  if checkpoint.get("key_id") != key_id(public_key) else "the signature does not verify")
        return ExportResult(False, 0, problem="checkpoint_mismatch", detail=detail)
    cp_seq = int(checkpoint["seq"]) if checkpoint is not None else None
    checked, gaps, first, prev_seq, prev_hash, cp_found = 0, 0, None, None, None, False
    for number, line in enumerate((ln for ln in lines if ln.strip()), start=1):
        try:
            event = _event(line, number)
        except ValueError as exc:
            return ExportResult(False, checked, first, prev_seq, gaps, cp_seq, None, "bad_line", str(exc))
        seq, stored_prev, stored_hash = event["seq"], str(event.pop("prev_hash", "")), str(event.pop("hash", ""))
        first = seq if first is None else first
        if prev_seq is not None and seq <= prev_seq:
            return ExportResult(False, checked, first, prev_seq, gaps, cp_seq, seq, "order",
                                f"seq {seq} follows seq {prev_seq}")
        if entry_hash(stored_prev, event) != stored_hash:
            return ExportResult(False, checked, first, seq, gaps, cp_seq, seq, "hash_mismatch",
                                "the entry's content does not hash to its stored hash")
        expected = GENESIS_HASH if seq == 1 else prev_hash if prev_seq == seq - 1 else None
        if expected is None and complete:
            return ExportResult(False, checked, first, seq, gaps, cp_seq, seq, "gap",
                                f"seq {seq} follows {prev_seq if prev_seq is not None else 'nothing'}")
        if expected is None:
            gaps += 1
        elif stored_prev != expected:
            return ExportResult(False, checked, first, seq, gaps, cp_seq, seq, "broken_link",
                                "prev_hash is not the previous entry's hash")
        if seq == cp_seq:
            cp_found = True
            if checkpoint is not None and stored_hash != checkpoint["hash"]:
                return ExportResult(False, checked, first, seq, gaps, cp_seq, seq, "checkpoint_mismatch",
                                    "the entry at the checkpoint's seq has another hash")
        checked, prev_seq, prev_hash = checked + 1, seq, stored_hash
    if cp_seq is not None and not cp_found:
        why = ("the export ends before it" if prev_seq is None or prev_seq < cp_seq
               else "its entry is not in this export (another district's); check it against a full export")
        return ExportResult(False, checked, first, prev_seq, gaps, cp_seq, cp_seq, "truncated"
                            if prev_seq is None or prev_seq < cp_seq else "checkpoint_mismatch",
                            f"the checkpoint's seq {cp_seq}: {why}")
    return ExportResult(True, checked, first, prev_seq, gaps, cp_seq)
