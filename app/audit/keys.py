"""Deployment keys: the Ed25519 checkpoint signing key and the HMAC key for payload digests.

Both are files of mode 0600, created only for a new installation (`gatekeeper keys init`, which `db upgrade`, the
demo and a first start on an empty audit log run): a key that goes missing once the log has entries is not quietly
replaced, because every digest and checkpoint made with the old one would stop verifying (restore it from backup).
A key is written to a temporary file and hard-linked into place, so two workers starting at once never read a
half-written key and never end up with two different keys.

Rotation (`gatekeeper keys rotate`) replaces the signing key and keeps each retired public key in a key ring beside
it (`<signing key file>.retired.json`), so checkpoints signed before still verify; an auditor needs only public keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DIGEST_KEY_BYTES = 32


class KeyFileError(Exception):
    """A key file that is missing, unreadable, too open or not a key: the message says which and what to do."""


def _private_temp(beside: Path, content: bytes) -> str:
    """A temporary file of mode 0600 beside `beside`, holding `content` on disk; the caller links or moves it."""
    fd, tmp = tempfile.mkstemp(dir=beside.parent, prefix=".key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _write_new(path: Path, content: bytes) -> bool:
    """Create `path` with `content`, mode 0600, unless it exists. True if this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _private_temp(path, content)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process won the race: its key is the key
            return False
        return True
    finally:
        os.unlink(tmp)


def _new_signing_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _new_digest_text() -> bytes:
    return secrets.token_hex(DIGEST_KEY_BYTES).encode("ascii") + b"\n"


def init_keys(digest_path: Path | str, signing_path: Path | str) -> list[Path]:
    """Create whichever of the two keys is missing; the paths created. The caller decides whether it may."""
    made = []
    for path, make in ((Path(digest_path), _new_digest_text), (Path(signing_path), _new_signing_pem)):
        if not path.exists() and _write_new(path, make()):
            made.append(path)
    return made


def missing_keys(digest_path: Path | str, signing_path: Path | str) -> list[Path]:
    return [Path(p) for p in (digest_path, signing_path) if not Path(p).exists()]


def _read_private(path: Path, what: str) -> bytes:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileError(f"the {what} {path} is missing; restore it from backup (`gatekeeper keys init` creates "
                        "keys only for a new installation)") from None
    if stat.S_IMODE(mode) & 0o077:
        raise KeyFileError(f"the {what} {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
                        f"run `chmod 600 {path}`")
    return path.read_bytes()


def load_digest_key(path: Path | str) -> bytes:
    path = Path(path)
    try:
        key = bytes.fromhex(_read_private(path, "digest key").decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise KeyFileError(f"the digest key {path} is not hex text") from None
    if len(key) < 16:
        raise KeyFileError(f"the digest key {path} is shorter than 16 bytes")
    return key


def load_signing_key(path: Path | str) -> Ed25519PrivateKey:
    path = Path(path)
    try:
        key = serialization.load_pem_private_key(_read_private(path, "signing key"), password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"the signing key {path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} does not hold an Ed25519 private key")
    return key


def load_public_key(path: Path | str) -> Ed25519PublicKey:
    """An auditor's copy of a public key (PEM, as `gatekeeper keys public` prints it)."""
    path = Path(path)
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not a readable PEM public key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} does not hold an Ed25519 public key")
    return key


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    return "ed25519:" + hashlib.sha256(public_key_bytes(public_key)).hexdigest()[:16]


def _ring_path(signing_path: Path) -> Path:
    return signing_path.with_name(signing_path.name + ".retired.json")


def retired_public_keys(signing_path: Path | str) -> dict[str, Ed25519PublicKey]:
    """The public keys rotated out of service, by key id."""
    ring = _ring_path(Path(signing_path))
    if not ring.exists():
        return {}
    keys: dict[str, Ed25519PublicKey] = {}
    for item in json.loads(ring.read_text(encoding="utf-8")):
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(item["public_key"]))
        keys[key_id(key)] = key
    return keys


def known_public_keys(signing_path: Path | str) -> dict[str, Ed25519PublicKey]:
    """The current signing key's public half and every retired one, by key id."""
    current = load_signing_key(signing_path).public_key()
    return {**retired_public_keys(signing_path), key_id(current): current}


def rotate_signing_key(signing_path: Path | str, now: Callable[[], datetime]) -> tuple[str, str]:
    """Retire the current signing key (its public half joins the ring) and put a new one in its place.
    Returns (retired key id, new key id)."""
    path = Path(signing_path)
    old = load_signing_key(path).public_key()
    ring = _ring_path(path)
    entries = json.loads(ring.read_text(encoding="utf-8")) if ring.exists() else []
    entries.append({"key_id": key_id(old), "public_key": base64.b64encode(public_key_bytes(old)).decode("ascii"),
                    "retired_at": now().isoformat()})
    ring.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    tmp = _private_temp(path, _new_signing_pem())
    try:
        os.replace(tmp, path)  # atomic: a reader sees the old key or the new one
    except BaseException:
        os.unlink(tmp)
        raise
    return key_id(old), key_id(load_signing_key(path).public_key())


def prepare_keys(digest_path: Path | str, signing_path: Path | str, log_is_empty: Callable[[], bool]) -> list[Path]:
    """Start-up and `keys init`: create the keys of a new installation (an empty audit log), refuse a missing key
    once the log has entries, then check both load. Returns the paths created."""
    missing = missing_keys(digest_path, signing_path)
    if missing and not log_is_empty():
        names = ", ".join(str(p) for p in missing)
        raise KeyFileError(f"{names} missing while the audit log has entries: restore the key from backup. A new "
                           "key would leave every digest or checkpoint made with the old one unverifiable.")
    created = init_keys(digest_path, signing_path) if missing else []
    load_digest_key(digest_path)
    load_signing_key(signing_path)
    return created
