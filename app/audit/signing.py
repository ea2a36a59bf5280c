"""Checkpoint signatures: Ed25519 over a context tag and the canonical JSON of {seq, hash, signed_at, key_id}."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.audit.chain import canonical_json
from app.audit.keys import key_id

# A context tag keeps a checkpoint signature from ever being valid for any other message the key might sign.
_CONTEXT = b"gatekeeper-audit-checkpoint-v1\n"


def checkpoint_message(seq: int, hash: str, signed_at: str, signer: str) -> bytes:
    return _CONTEXT + canonical_json({"seq": seq, "hash": hash, "signed_at": signed_at, "key_id": signer})


def sign_checkpoint(private_key: Ed25519PrivateKey, seq: int, hash: str, signed_at: datetime) -> dict[str, Any]:
    signer = key_id(private_key.public_key())
    at = signed_at.isoformat()
    signature = private_key.sign(checkpoint_message(seq, hash, at, signer))
    return {"seq": seq, "hash": hash, "signed_at": at, "key_id": signer,
            "signature": base64.b64encode(signature).decode("ascii")}


def checkpoint_signature_ok(public_key: Ed25519PublicKey, checkpoint: Mapping[str, Any]) -> bool:
    """True only for a well-formed checkpoint signed by this key (the key_id must name it, too)."""
    try:
        seq, hash_, at = int(checkpoint["seq"]), str(checkpoint["hash"]), str(checkpoint["signed_at"])
        signer, signature = str(checkpoint["key_id"]), base64.b64decode(str(checkpoint["signature"]), validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error):
        return False
    if signer != key_id(public_key):
        return False
    try:
        public_key.verify(signature, checkpoint_message(seq, hash_, at, signer))
    except InvalidSignature:
        return False
    return True
