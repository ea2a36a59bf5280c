"""Signed checkpoints of the chain head: an auditor keeps them outside the database, and `verify --checkpoint`
then detects truncation and rewritten history even when every hash after the rewrite was recomputed.

A checkpoint is only signed for a chain that verifies, from the latest stored checkpoint whose signature is ours, so
signing stays cheap as the log grows and never blesses a chain that was already tampered with.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from app import clock
from app.audit import repository as repo
from app.audit.keys import key_id, public_key_bytes
from app.audit.service import append
from app.audit.signing import checkpoint_signature_ok, sign_checkpoint
from app.audit.verify import VerifyResult, verify_chain
from app.domain.access import EVERYWHERE, DistrictScope
from app.errors import Conflict

CHECKPOINT_EVENT = "audit.checkpointed"


class ChainBroken(Conflict):
    title = "Audit chain does not verify"

    def __init__(self, result: VerifyResult) -> None:
        super().__init__(f"Refusing to sign: {result.problem} at seq {result.first_bad_seq}.")
        self.result = result


def list_checkpoints(session: Session, scope: DistrictScope, limit: int = 100) -> list[dict[str, Any]]:
    """The checkpoints the caller may see: a district's admins and auditors see the ones their district's admins
    signed (the district wall), a caller without a district every one."""
    return [{"seq": int(c.seq), "hash": c.hash, "signed_at": c.signed_at, "key_id": c.key_id,
             "signature": c.signature} for c in repo.list_checkpoints(session, scope, limit)]


def latest_valid_checkpoint(session: Session, public_keys: Mapping[str, Ed25519PublicKey]
                            ) -> tuple[dict[str, Any], Ed25519PublicKey] | None:
    """The newest stored checkpoint signed by one of these keys (the current one or a retired one, by key id), with
    its key. Rows whose signature does not verify are skipped."""
    for checkpoint in list_checkpoints(session, EVERYWHERE, limit=20):  # the chain is one for every district
        key = public_keys.get(str(checkpoint["key_id"]))
        if key is not None and checkpoint_signature_ok(key, checkpoint):
            return checkpoint, key
    return None


def create_checkpoint(session: Session, private_key: Ed25519PrivateKey, *, actor_id: str,
                      district_id: str | None = None,
                      retired_keys: Mapping[str, Ed25519PublicKey] | None = None) -> dict[str, Any]:
    """Verify (incrementally), sign the head, store the checkpoint and audit it. Never commits.
    Raises ChainBroken (409) when the chain does not verify. `district_id` is the signing admin's district: who may
    list the checkpoint afterwards (it signs the one chain all districts share). A checkpoint signed by a retired
    key (`retired_keys`, by key id) still anchors the verification."""
    public_key = private_key.public_key()
    found = latest_valid_checkpoint(session, {**(retired_keys or {}), key_id(public_key): public_key})
    anchor, anchor_key = found if found is not None else (None, None)
    result = verify_chain(session, checkpoint=anchor, public_key=anchor_key, from_checkpoint=anchor is not None)
    if not result.ok:
        raise ChainBroken(result)
    checkpoint = sign_checkpoint(private_key, result.head["seq"], result.head["hash"], clock.now())
    repo.add_checkpoint(session, **checkpoint, district_id=district_id)
    append(session, CHECKPOINT_EVENT, actor_id=actor_id, district_id=district_id,
           data={"checkpoint_seq": checkpoint["seq"], "key_id": checkpoint["key_id"],
                 "verified_from_seq": anchor["seq"] if anchor else 0, "checked": result.checked})
    return checkpoint


def public_key_info(public_key: Ed25519PublicKey) -> dict[str, str]:
    """What an auditor needs to check signatures outside the service."""
    return {"key_id": key_id(public_key), "algorithm": "Ed25519",
            "public_key": base64.b64encode(public_key_bytes(public_key)).decode("ascii")}
