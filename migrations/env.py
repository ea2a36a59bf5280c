"""Alembic environment: the URL comes from the caller (app.db.migrate) or from GATEKEEPER_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import app.db.all_models  # noqa: F401  (registers every table on Base.metadata)
from app.config import Settings
from app.db.base import Base
from app.db.session import make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return str(url) if url else Settings(env="test").database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # One transaction for the whole run on SQLite too (SQLAlchemy owns BEGIN there, app/db/session.py): a
        # downgrade that a later step refuses (the audit log's, while it holds entries) then changes nothing.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
