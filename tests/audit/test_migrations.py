"""Migrations 0002 and 0003 go up, down and up again on both databases, triggers included."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from app.audit.schema import columns_are_derived
from app.audit.service import append
from app.audit.verify import verify_chain
from app.db.migrate import downgrade, upgrade
from app.db.session import make_engine, make_sessionmaker

AUDIT_TABLES = {"audit_entries", "audit_chain_head", "audit_checkpoints"}


def test_0002_up_down_up(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0002")
    downgrade(empty_db_url, "0001")
    engine = make_engine(empty_db_url)
    try:
        assert not AUDIT_TABLES & set(inspect(engine).get_table_names())
        upgrade(empty_db_url, "0002")
        assert set(inspect(engine).get_table_names()) >= AUDIT_TABLES
        with make_sessionmaker(engine)() as s:
            assert append(s, "policy.loaded", actor_id="gatekeeper").seq == 1
            s.commit()
            row = s.execute(text("SELECT type, actor_id, student_id, format_version FROM audit_entries")).one()
            assert tuple(row) == ("policy.loaded", "gatekeeper", None, 1)
        with pytest.raises(DBAPIError), engine.begin() as conn:  # The triggers came back with the tables.
            conn.execute(text("DELETE FROM audit_entries"))
    finally:
        engine.dispose()


def test_0003_walls_old_entries_off_and_keeps_the_chain(empty_db_url: str) -> None:
    """An entry written before 0003 belongs to no district and still verifies; the migrations' generation
    expressions are the ones verify expects (the fast path); entries stamped after it carry their district."""
    upgrade(empty_db_url, "0002")
    engine = make_engine(empty_db_url)
    factory = make_sessionmaker(engine)
    try:
        with factory() as s:
            append(s, "policy.loaded", actor_id="gatekeeper")
            s.commit()
        upgrade(empty_db_url, "0003")
        upgrade(empty_db_url)
        with factory() as s:
            assert columns_are_derived(s)
            append(s, "config.changed", actor_id="admin", district_id="d1", data={"entity": "district", "id": "d1"})
            s.commit()
            rows = s.execute(text("SELECT seq, district_id, format_version FROM audit_entries ORDER BY seq")).all()
            assert [tuple(r) for r in rows] == [(1, None, 1), (2, "d1", 2)]
            result = verify_chain(s)
            assert result.ok and result.checked == 2
        with pytest.raises(DBAPIError), engine.begin() as conn:  # Still append-only.
            conn.execute(text("UPDATE audit_entries SET body = body"))
    finally:
        engine.dispose()


def test_no_downgrade_drops_or_narrows_a_log_that_holds_entries(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    factory = make_sessionmaker(engine)
    try:
        with factory() as s:
            append(s, "policy.loaded", actor_id="gatekeeper")
            s.commit()
        for target in ("0002", "0001", "base"):
            with pytest.raises(RuntimeError, match="refusing to downgrade: the audit log holds 1 entries"):
                downgrade(empty_db_url, target)
        # Refused as a whole, on SQLite too (one transaction): not even the later tables were dropped.
        assert set(inspect(engine).get_table_names()) >= AUDIT_TABLES | {"decision_records", "disclosure_requests"}
        with factory() as s:
            result = verify_chain(s)
            assert result.ok and result.checked == 1
    finally:
        engine.dispose()
