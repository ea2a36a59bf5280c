"""Failed logins cannot flood the audit log (issue 15, item 4): 1,000 bad-token requests from one address within
a minute against a real `gatekeeper serve` on SQLite, then the audit entries they added, counted in the database
after the server stopped (shut-down writes what is still counted). Target: at most 2.

    .venv/bin/python benchmarks/auth_flood.py [--requests 1000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from server import launch, server_env, stop


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        db = tmp / "gk.db"
        proc, base, _ = launch(server_env(f"sqlite:///{db}", tmp))
        statuses: Counter[int] = Counter()
        t0 = time.monotonic()
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                for _ in range(args.requests):
                    resp = client.get("/api/v1/policy", headers={"Authorization": "Bearer not-a-jwt"})
                    statuses[resp.status_code] += 1
            took = time.monotonic() - t0
        finally:
            stop(proc)
        with sqlite3.connect(db) as conn:
            bodies = [json.loads(b)["data"] for (b,) in conn.execute(
                "SELECT body FROM audit_entries WHERE type = 'auth.failed' ORDER BY seq")]
    print(f"{args.requests} bad-token requests from 127.0.0.1 in {took:.1f} s: {dict(statuses)}")
    print(f"audit entries added: {len(bodies)} (counts {[d['count'] for d in bodies]}, "
          f"limited {sum(d.get('limited', 0) for d in bodies)})")
    return 0 if len(bodies) <= 2 and sum(d["count"] for d in bodies) == args.requests else 1


if __name__ == "__main__":
    raise SystemExit(main())
