"""The columns of audit_entries that the database derives from the hashed `body`, and the checks that they still are.

Why: verify hashes only (prev_hash, body). The filter columns are safe to leave unread only while each is still
generated from `body` by the expression below; that is one catalog read (`columns_are_derived`), not a per-row
comparison. If a DBA turned a column into a plain one (to edit it), or the catalog reads differently than expected,
verify falls back to `mismatch_sql`: a per-row comparison of every column with its expression, slow but exact, that
names the first seq whose columns disagree with what was hashed.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

_AT = "body::jsonb ->> 'at'"
_PG_AT = (  # make_timestamp and timezone(text, timestamp) are immutable; a text -> timestamptz cast is not.
    f"timezone('UTC', make_timestamp(substr({_AT}, 1, 4)::int, substr({_AT}, 6, 2)::int, substr({_AT}, 9, 2)::int, "
    f"substr({_AT}, 12, 2)::int, substr({_AT}, 15, 2)::int, substr({_AT}, 18, 9)::float8))"
)
# district_id (migration 0003) is null in entries of no district and in every v1 entry (chain.py).
_TEXT_KEYS = ("type", "actor_id", "student_id", "request_id", "policy_version", "config_version", "district_id")

# Generation expressions by dialect. SQLite stores DateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' (what SQLAlchemy binds
# for comparisons), so occurred_at is the body's UTC 'at' without its offset and with a space.
DERIVED: dict[str, dict[str, str]] = {
    "sqlite": {
        "occurred_at": "replace(substr(json_extract(body, '$.at'), 1, 26), 'T', ' ')",
        **{key: f"json_extract(body, '$.{key}')" for key in _TEXT_KEYS},
        "format_version": "json_extract(body, '$.v')",
    },
    "postgresql": {
        "occurred_at": _PG_AT,
        **{key: f"(body::jsonb ->> '{key}')" for key in _TEXT_KEYS},
        "format_version": "((body::jsonb ->> 'v')::smallint)",
    },
}

_PG_GENERATED = text(
    "SELECT a.attname, a.attgenerated, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE a.attrelid = 'audit_entries'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
)


def _normalized(sql: str) -> str:
    return " ".join(sql.replace("(", " ( ").replace(")", " ) ").replace(",", " , ").split()).lower()


def columns_are_derived(session: Session) -> bool:
    """True when every filter column is still generated from body by its expression (one catalog read)."""
    from app.audit.models import AuditEntry  # models imports DERIVED from here

    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        # The whole CREATE TABLE must be ours: matching fragments alone could hide in a comment or a literal.
        stored = session.execute(text(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries'")).scalar()
        expected = str(CreateTable(cast(Table, AuditEntry.__table__)).compile(dialect=dialect))
        return isinstance(stored, str) and _words(stored) == _words(expected)
    if dialect.name == "postgresql":
        found = {str(name): (str(kind), expr) for name, kind, expr in session.execute(_PG_GENERATED)}
        return all(found.get(column, ("", None)) == ("s", expr) for column, expr in PG_DEPARSED.items())
    return False


def _words(sql: str) -> str:
    return " ".join(sql.split())


def _pg_text(key: str) -> str:
    return f"((body)::jsonb ->> '{key}'::text)"


def _pg_part(start: int, length: int) -> str:
    return f"(substr({_pg_text('at')}, {start}, {length}))"


# DERIVED["postgresql"] as PostgreSQL (11 to 17) deparses it in the catalog (pg_get_expr).
PG_DEPARSED: dict[str, str] = {
    "occurred_at": (
        f"timezone('UTC'::text, make_timestamp({_pg_part(1, 4)}::integer, {_pg_part(6, 2)}::integer, "
        f"{_pg_part(9, 2)}::integer, {_pg_part(12, 2)}::integer, {_pg_part(15, 2)}::integer, "
        f"{_pg_part(18, 9)}::double precision))"
    ),
    **{key: _pg_text(key) for key in _TEXT_KEYS},
    "format_version": f"({_pg_text('v')})::smallint",
}


def mismatch_sql(dialect: str) -> str:
    """SQL (:lo, :hi) for the first seq in lo < seq <= hi whose columns differ from their expressions. On SQLite a
    body that is not JSON counts as a mismatch; on PostgreSQL it raises (the caller then relies on the hash walk)."""
    same = "IS" if dialect == "sqlite" else "IS NOT DISTINCT FROM"
    checks = " AND ".join(f"{column} {same} {expr}" for column, expr in DERIVED[dialect].items())
    if dialect == "sqlite":
        checks = f"CASE WHEN json_valid(body) THEN {checks} ELSE 0 END"
    # Only module constants are interpolated; lo and hi are bound parameters.
    return f"SELECT min(seq) FROM audit_entries WHERE seq > :lo AND seq <= :hi AND NOT ({checks})"  # noqa: S608
