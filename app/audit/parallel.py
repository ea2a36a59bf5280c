"""Verifying a long chain on every core.

Each entry's hash depends only on its own row (prev_hash || body), so disjoint seq ranges can be hashed at the same
time; the links between ranges are checked at the seams, where the stored hash of a range's last entry must be both
what that range's walk arrives at and the prev_hash the next range starts from. The workers are forked processes that
read through their own plain DBAPI connections (never the parent's). Any doubt, and any failure, answers False: the
caller then walks sequentially, which names the first bad seq.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import psycopg
from sqlalchemy import URL, select
from sqlalchemy.orm import Session

from app.audit import repository as repo
from app.audit.models import AuditEntry
from app.audit.verify_walk import Walk, walk_fast

# Below this many entries forking costs more than it saves.
PARALLEL_MIN_ENTRIES = 200_000


def _connect(dialect: str, url: URL) -> Any:
    if dialect == "sqlite":
        return sqlite3.connect(str(url.database))
    return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))


def _check_range(dialect: str, url: URL, lo: int, hi: int, start_hash: str, batch: int) -> str | None:
    """Walk lo < seq <= hi from start_hash; the last hash, or None if anything in the range is off."""
    conn = _connect(dialect, url)
    try:
        sql = repo.scan_sql(dialect, fast=True)
        walk = Walk(expected=lo + 1, last_hash=start_hash)
        for a in range(lo, hi, batch):
            b = min(a + batch, hi)
            cursor = conn.cursor(binary=True) if dialect == "postgresql" else conn.cursor()
            try:
                cursor.execute(sql, (a, b))
                rows = cursor.fetchall()
            finally:
                cursor.close()
            if not walk_fast(rows, walk, b - a):
                return None
        return walk.last_hash
    finally:
        conn.close()


def verify_ranges_in_parallel(session: Session, start_seq: int, start_hash: str, head_seq: int, workers: int,
                              batch: int) -> str | None:
    """The hash of the last entry, only if every entry in start_seq < seq <= head_seq hashes correctly and links to
    the one before; None when anything is off or the chain is too short to be worth it."""
    bind = session.get_bind()
    dialect, url = bind.dialect.name, bind.engine.url
    if dialect not in ("sqlite", "postgresql") or head_seq - start_seq < PARALLEL_MIN_ENTRIES or workers < 2:
        return None
    step = -(-(head_seq - start_seq) // workers)
    bounds = [start_seq + k * step for k in range(workers)] + [head_seq]
    seams = [start_hash] + [_stored_hash(session, b) for b in bounds[1:-1]]
    if any(s is None for s in seams):
        return None
    # fork: the workers start at once; they never touch the parent's connections, and end with os._exit.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_check_range, dialect, url, bounds[k], bounds[k + 1], str(seams[k]), batch)
                   for k in range(workers)]
        ends = [f.result() for f in futures]
    # Range k must end on the stored hash the next range started from; the caller compares the last with the head.
    if any(end is None for end in ends) or any(ends[k] != seams[k + 1] for k in range(workers - 1)):
        return None
    return ends[-1]


def _stored_hash(session: Session, seq: int) -> str | None:
    found = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar()
    return None if found is None else str(found)
