"""Audit log benchmark: verify throughput and student-filtered query p95 at 1M entries, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/audit.py [--entries 1000000] [--dialects sqlite,postgresql]

Bulk-loads a valid chain (executemany on SQLite, COPY on PostgreSQL: the append path would take hours), then
measures with the service's own functions: verify_chain (full, and from a checkpoint 10k entries from the head),
query_events filtered by student, and append latency on the full log against an empty one. Not part of the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scratch import scratch_database
from sqlalchemy import Engine, text

from app.audit.chain import GENESIS_HASH, canonical_json, v1_body_text
from app.audit.queries import query_events
from app.audit.service import append
from app.audit.verify import verify_chain
from app.db.migrate import upgrade
from app.db.session import make_engine, make_sessionmaker
from app.domain.access import EVERYWHERE

PG_ADMIN = os.environ.get("GATEKEEPER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
STUDENTS = 20_000
TYPES = ["request.created", "request.decided", "data.released", "data.read", "record.viewed", "config.changed"]


def generate(n: int) -> Iterator[tuple[Any, ...]]:
    """Rows (seq, body, prev_hash, hash) forming a valid chain; the database derives the filter columns."""
    rng = random.Random(7)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        at = start + timedelta(milliseconds=seq * 30)
        at_text = at.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        student = f"st-{rng.randrange(STUDENTS)}" if seq % 3 else None
        request = f"req_{seq // 3}" if student else None
        data = canonical_json({"fields": ["name", "class_schedule"], "outcome": "RELEASE", "rules": ["R-SO-1"],
                               "purpose": "LE_RESPONSE"}).decode()
        type_ = TYPES[seq % len(TYPES)]
        actor = f"sro-{seq % 50}"
        body = v1_body_text(seq, at_text, type_, actor, student, request, data, "sha256:pol", "sha256:cfg")
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        yield (seq, body, prev, digest)
        prev = digest


def load(engine: Engine, n: int) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        last: tuple[Any, ...] | None = None
        if engine.dialect.name == "sqlite":
            batch: list[tuple[Any, ...]] = []
            sql = "INSERT INTO audit_entries (seq, body, prev_hash, hash) VALUES (?,?,?,?)"
            cur.execute("BEGIN")
            for row in generate(n):
                batch.append(row)
                if len(batch) == 50_000:
                    cur.executemany(sql, batch)
                    batch.clear()
                last = row
            cur.executemany(sql, batch)
        else:
            with cur.copy("COPY audit_entries (seq, body, prev_hash, hash) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in generate(n):
                    copy.write_row(row)
                    last = row
        assert last is not None
        cur.execute(f"UPDATE audit_chain_head SET seq = {last[0]}, hash = '{last[3]}' WHERE id = 1")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def append_latencies(engine: Engine, count: int) -> list[float]:
    factory = make_sessionmaker(engine)
    times = []
    for i in range(count):
        t0 = time.perf_counter()
        with factory() as s:
            append(s, "data.read", actor_id="sro-1", student_id=f"st-{i}", data={"fields": ["name"]})
            s.commit()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def bench(dialect: str, n: int) -> None:
    with scratch_database(dialect) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            empty_append = append_latencies(engine, 200)
            with engine.begin() as conn:  # Start the bulk chain from an empty log.
                if dialect == "postgresql":
                    conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
                    conn.execute(text("DELETE FROM audit_entries"))
                    conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
                    conn.execute(text("ALTER TABLE audit_chain_head DISABLE TRIGGER USER"))
                    conn.execute(text(f"UPDATE audit_chain_head SET seq = 0, hash = '{GENESIS_HASH}'"))
                    conn.execute(text("ALTER TABLE audit_chain_head ENABLE TRIGGER USER"))
                else:
                    conn.execute(text("DROP TRIGGER audit_entries_no_delete"))
                    conn.execute(text("DELETE FROM audit_entries"))
                    conn.execute(text("DROP TRIGGER audit_chain_head_forward_only"))
                    conn.execute(text(f"UPDATE audit_chain_head SET seq = 0, hash = '{GENESIS_HASH}'"))
            t0 = time.perf_counter()
            load(engine, n)
            load_s = time.perf_counter() - t0
            factory = make_sessionmaker(engine)
            runs = []
            parallel_runs = []
            for _ in range(3):
                for workers, times in ((1, runs), (os.cpu_count() or 1, parallel_runs)):
                    with factory() as s:
                        t0 = time.perf_counter()
                        result = verify_chain(s, workers=workers)
                        times.append(time.perf_counter() - t0)
                        s.rollback()
                    assert result.ok and result.checked == n, result
            best = min(runs)
            with factory() as s:
                head_seq, head_hash = result.head["seq"], result.head["hash"]
                anchor_seq = head_seq - 10_000
                anchor_hash = s.execute(text("SELECT hash FROM audit_entries WHERE seq = :s"),
                                        {"s": anchor_seq}).scalar_one()
                t0 = time.perf_counter()
                partial = verify_chain(s, checkpoint={"seq": anchor_seq, "hash": anchor_hash}, from_checkpoint=True)
                partial_s = time.perf_counter() - t0
                assert partial.ok and head_hash == partial.head["hash"]
                s.rollback()
            rng = random.Random(11)
            latencies = []
            for _ in range(500):
                with factory() as s:
                    student = f"st-{rng.randrange(STUDENTS)}"
                    t0 = time.perf_counter()
                    events, _ = query_events(s, scope=EVERYWHERE, student_id=student, limit=100)
                    latencies.append((time.perf_counter() - t0) * 1000)
                    s.rollback()
            full_append = append_latencies(engine, 200)
        finally:
            engine.dispose()
    print(f"[{dialect}] {n:,} entries, bulk load {load_s:.1f}s")
    median = statistics.median(runs)
    print(f"[{dialect}] verify full: median {median:.2f}s of 3 -> {n / median:,.0f} entries/s, best {n / best:,.0f} "
          f"(runs: {', '.join(f'{r:.2f}' for r in runs)}; a shared 2-core machine: see the load average)")
    p_median = statistics.median(parallel_runs)
    print(f"[{dialect}] verify full on {os.cpu_count()} processes: median {p_median:.2f}s of 3 -> "
          f"{n / p_median:,.0f} entries/s")
    print(f"[{dialect}] verify from checkpoint (last 10,000): {partial_s * 1000:.1f} ms, checked {partial.checked}")
    print(f"[{dialect}] events?student_id=..&limit=100 ({len(events)} rows last): p50 "
          f"{statistics.median(latencies):.2f} ms, p95 {percentile(latencies, 95):.2f} ms, "
          f"max {max(latencies):.2f} ms")
    print(f"[{dialect}] append+commit: empty log p50 {statistics.median(empty_append):.2f} ms p95 "
          f"{percentile(empty_append, 95):.2f} ms; at {n:,} p50 {statistics.median(full_append):.2f} ms p95 "
          f"{percentile(full_append, 95):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--dialects", default="sqlite,postgresql")
    args = parser.parse_args()
    for dialect in args.dialects.split(","):
        bench(dialect.strip(), args.entries)
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
