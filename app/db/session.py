"""Engine factory. SQLite gets the documented pysqlite BEGIN hooks so transactions (and SAVEPOINT rollback in
tests) behave as on PostgreSQL, plus foreign keys and a busy timeout for concurrent writers."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_S = 30
_HOLDS_WRITER = "gatekeeper_holds_writer_lock"


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Errors never quote bound parameters: they are record values (API.md section 5), and errors get logged.
    kwargs["hide_parameters"] = True
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}, **kwargs)
        _install_sqlite_hooks(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _install_sqlite_hooks(engine: Engine) -> None:
    # SQLite has one writer at a time, and every transaction here writes (BEGIN IMMEDIATE). Threads of this
    # process queue on a lock and start the moment it is free; left to SQLite's busy handler they would sleep in
    # back-offs of up to 100 ms, which made p99 latency under load hundreds of milliseconds. The lock is held from
    # BEGIN until the connection goes back to the pool (after its COMMIT or ROLLBACK). Other processes still meet
    # the busy timeout.
    writer = threading.Lock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy own BEGIN (pysqlite's implicit transactions break SAVEPOINTs).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not conn.info.get(_HOLDS_WRITER):  # a second transaction on the same checkout already holds it
            # On time-out go on without it: SQLite's own busy timeout then decides, as it would with no lock.
            conn.info[_HOLDS_WRITER] = writer.acquire(timeout=BUSY_TIMEOUT_S)
        # IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading a read lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        if record is not None and record.info.pop(_HOLDS_WRITER, False):
            writer.release()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
