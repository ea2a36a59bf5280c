"""Pure hashing for the audit chain: canonical JSON, entry hashes, keyed payload digests.

Entry format v1: hash = sha256(prev_hash_hex || canonical_json(body)) where body is
{"v": 1, "seq", "at", "type", "actor_id", "student_id", "request_id", "data", "policy_version", "config_version"}.
Format v2 is v1 plus "district_id": the district the entry belongs to (the district wall, service.py), hashed with the
rest so that it cannot be changed afterwards. An entry of no district is still written as v1, byte for byte.
Canonical JSON is UTF-8 (ensure_ascii=False). audit_entries.body stores canonical_json(body) byte for byte, so the
verifier hashes the stored text and never rebuilds it; the database derives the filter columns from it (models.py).
`v1_body_text` builds the same text from the parts without a dict (the benchmark's bulk load and the tamper tests use
it); a property test keeps it equal to canonical_json.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

GENESIS_HASH = "0" * 64
FORMAT_VERSION = 1
DISTRICT_FORMAT_VERSION = 2
DIGEST_PREFIX = "hmac-sha256:"

# Keys in sorted order, exactly as canonical_json would emit them for a v1 body.
_V1_TEMPLATE = (
    '{"actor_id":%s,"at":%s,"config_version":%s,"data":%s,"policy_version":%s,'
    '"request_id":%s,"seq":%d,"student_id":%s,"type":%s,"v":1}'
)


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, no NaN: the same object always gives the same bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(body)).hexdigest()


def payload_digest(key: bytes, payload: Mapping[str, str]) -> str:
    """Keyed digest of a released payload. A plain sha256 of a low-entropy value (a religion, a grade) is reversed
    by hashing a dictionary of likely values; without the deployment key that attack is impossible."""
    return DIGEST_PREFIX + hmac.new(key, canonical_json(payload), hashlib.sha256).hexdigest()


def format_at(at: datetime) -> str:
    """UTC, always with microseconds: the same text both databases give back for the stored timestamp."""
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def entry_body(
    *,
    seq: int,
    at: str,
    type: str,
    actor_id: str | None,
    student_id: str | None,
    request_id: str | None,
    data: Mapping[str, Any],
    policy_version: str | None,
    config_version: str | None,
    district_id: str | None = None,
) -> dict[str, Any]:
    body = {
        "v": FORMAT_VERSION, "seq": seq, "at": at, "type": type, "actor_id": actor_id, "student_id": student_id,
        "request_id": request_id, "data": dict(data), "policy_version": policy_version,
        "config_version": config_version,
    }
    if district_id is not None:
        body["v"], body["district_id"] = DISTRICT_FORMAT_VERSION, district_id
    return body


def _s(value: str | None) -> str:
    return "null" if value is None else str(encode_basestring(value))


def v1_body_text(
    seq: int, at: str, type: str, actor_id: str | None, student_id: str | None, request_id: str | None,
    data_json: str, policy_version: str | None, config_version: str | None,
) -> str:
    """canonical_json(entry_body(...)) for v1, given the data already as canonical JSON text."""
    return _V1_TEMPLATE % (
        _s(actor_id), _s(at), _s(config_version), data_json, _s(policy_version), _s(request_id), seq,
        _s(student_id), _s(type),
    )

