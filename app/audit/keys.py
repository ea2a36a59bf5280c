"""Deployment keys: the Ed25519 checkpoint signing key and the HMAC key for payload digests.

Both are created on first use with mode 0600, written to a temporary file and hard-linked into place, so two workers
starting at once never read a half-written key and never end up with two different keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DIGEST_KEY_BYTES = 32


def _create_exclusive(path: Path, make: Callable[[], bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
            handle.flush()
            os.fsync(handle.fileno())
        # If another process won the race, its key is the key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def load_or_create_digest_key(path: Path | str) -> bytes:
    path = Path(path)
    if not path.exists():
        _create_exclusive(path, lambda: secrets.token_hex(DIGEST_KEY_BYTES).encode("ascii") + b"\n")
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"digest key in {path} is shorter than 16 bytes")
    return key


def load_or_create_signing_key(path: Path | str) -> Ed25519PrivateKey:
    path = Path(path)
    if not path.exists():
        _create_exclusive(path, lambda: Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    return "ed25519:" + hashlib.sha256(public_key_bytes(public_key)).hexdigest()[:16]
