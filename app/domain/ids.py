"""Server-made ids: a prefix, a millisecond timestamp (so ids sort by creation) and randomness."""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    return f"{prefix}_{int(time.time() * 1000):012x}{secrets.token_hex(6)}"
