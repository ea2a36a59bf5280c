"""Migrations run forward and back on both databases, and the models match them (alembic check)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from app.db.migrate import alembic_config, downgrade, upgrade
from app.db.session import make_engine


def test_round_trip_and_check(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    downgrade(empty_db_url, "base")
    engine = make_engine(empty_db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(empty_db_url)
    command.check(alembic_config(empty_db_url))
    engine = make_engine(empty_db_url)
    try:
        assert {"districts", "students", "student_fields", "disclosure_requests"} <= set(
            inspect(engine).get_table_names())
    finally:
        engine.dispose()
