"""Start-up to /readyz (issue 4: target <= 3 s), SQLite and PostgreSQL.

Times `gatekeeper serve` from launch to the first 200 of /readyz: once on a new empty database (the migrations run)
and then --runs times on the migrated database (an ordinary restart: imports, migration check, policy load and
compile, key files). Prints median and worst.

    .venv/bin/python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from scratch import postgres_database
from server import launch, server_env, stop


def measure(url: str, tmp: Path, runs: int) -> tuple[float, list[float]]:
    env = server_env(url, tmp)
    proc, _, first = launch(env)
    stop(proc)
    restarts = []
    for _ in range(runs):
        proc, _, seconds = launch(env)
        stop(proc)
        restarts.append(seconds)
    return first, restarts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir, postgres_database() as pg_url:
        tmp = Path(tmpdir)
        dbs = [("sqlite", f"sqlite:///{tmp / 'startup.db'}")] + ([("postgresql", pg_url)] if pg_url else [])
        for db, url in dbs:
            first, restarts = measure(url, tmp, args.runs)
            print(f"[{db}] start-up to /readyz: empty database {first:.2f} s; restart median "
                  f"{statistics.median(restarts):.2f} s, worst {max(restarts):.2f} s of {args.runs} "
                  f"(runs: {', '.join(f'{s:.2f}' for s in restarts)})")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
