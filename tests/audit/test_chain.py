"""Pure hashing: canonical JSON, the v1 text builder (bulk loads, tamper tests), keyed payload digests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.audit.chain import (
    GENESIS_HASH,
    canonical_json,
    entry_body,
    entry_hash,
    format_at,
    payload_digest,
    v1_body_text,
)

text = st.text(max_size=30)
maybe = st.none() | text
scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text
json_data = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(text, kids, max_size=4),
                         max_leaves=12)


@given(seq=st.integers(1, 2**62), at=text, type_=text, actor=maybe, student=maybe, request=maybe,
       data=st.dictionaries(text, json_data, max_size=5), policy=maybe, config=maybe)
def test_fast_rebuild_equals_canonical_json(seq: int, at: str, type_: str, actor: str | None, student: str | None,
                                            request: str | None, data: dict[str, object], policy: str | None,
                                            config: str | None) -> None:
    body = entry_body(seq=seq, at=at, type=type_, actor_id=actor, student_id=student, request_id=request,
                      data=data, policy_version=policy, config_version=config)
    fast = v1_body_text(seq, at, type_, actor, student, request, canonical_json(data).decode(), policy, config)
    assert fast.encode() == canonical_json(body)


def test_canonical_json_is_order_independent_and_utf8() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == canonical_json({"a": "é", "b": 1}) == '{"a":"é","b":1}'.encode()
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_entry_hash_chains_on_prev_hash() -> None:
    body = {"v": 1, "seq": 1}
    assert entry_hash(GENESIS_HASH, body) == hashlib.sha256(GENESIS_HASH.encode() + b'{"seq":1,"v":1}').hexdigest()
    assert entry_hash("1" * 64, body) != entry_hash(GENESIS_HASH, body)


def test_payload_digest_is_keyed_not_a_plain_hash() -> None:
    payload = {"religion": "Catholic"}
    digest = payload_digest(b"k" * 32, payload)
    assert digest.startswith("hmac-sha256:")
    assert digest != payload_digest(b"j" * 32, payload)
    # A dictionary attack on plain sha256 would find this; the keyed digest matches no unkeyed hash of the payload.
    assert digest.removeprefix("hmac-sha256:") not in {hashlib.sha256(canonical_json(payload)).hexdigest(),
                                                       hashlib.sha256(b"Catholic").hexdigest()}


def test_format_at_is_utc_with_microseconds() -> None:
    at = datetime(2025, 3, 7, 12, 10, tzinfo=timezone(timedelta(hours=-5)))
    assert format_at(at) == "2025-03-07T17:10:00.000000+00:00"
    assert format_at(datetime(2025, 1, 1, tzinfo=UTC)).endswith(".000000+00:00")
    with pytest.raises(ValueError):
        format_at(datetime(2025, 1, 1))
