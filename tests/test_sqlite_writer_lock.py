"""The SQLite writer lock (app/db/session.py): threads of one process queue for the single SQLite writer instead of
sleeping in its busy handler, and the lock follows the connection from BEGIN until it is back in the pool."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from app.db.session import make_engine, make_sessionmaker


def test_a_second_writer_waits_for_the_first_to_finish(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    sessions = make_sessionmaker(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    order: list[str] = []
    started = threading.Event()

    def second() -> None:
        started.set()
        with sessions() as s:
            s.execute(text("INSERT INTO t VALUES (2)"))
            order.append("second")
            s.commit()

    with sessions() as first:
        first.execute(text("INSERT INTO t VALUES (1)"))
        thread = threading.Thread(target=second)
        thread.start()
        started.wait(5)
        thread.join(0.3)  # it cannot get past BEGIN while the first holds the writer
        assert thread.is_alive() and order == []
        order.append("first")
        first.commit()
    thread.join(10)
    assert not thread.is_alive()
    assert order == ["first", "second"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2
    engine.dispose()


def test_one_checkout_may_run_several_transactions(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    done = threading.Event()

    def work() -> None:
        with engine.connect() as conn:
            for n in range(3):  # commit and begin again on the same connection: no self-deadlock
                conn.execute(text("SELECT :n"), {"n": n})
                conn.commit()
            conn.execute(text("SELECT 1"))
            conn.rollback()
        with engine.begin() as conn:  # and the lock was released at check-in
            conn.execute(text("SELECT 1"))
        done.set()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert done.is_set()
    engine.dispose()
