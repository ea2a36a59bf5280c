"""audit: hash-chained entries, chain head, signed checkpoints, append-only triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Hand-written because the triggers are dialect-specific. On PostgreSQL the triggers are the second line of defence;
the first is the grants (app/audit/README.md): the application role gets INSERT and SELECT on audit_entries and
audit_checkpoints, UPDATE (not DELETE) on audit_chain_head, and owns none of them, so it cannot disable a trigger.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_AT = "body::jsonb ->> 'at'"
_TEXT_KEYS = ("type", "actor_id", "student_id", "request_id", "policy_version", "config_version")
_DERIVED = {
    "sqlite": {
        "occurred_at": "replace(substr(json_extract(body, '$.at'), 1, 26), 'T', ' ')",
        **{key: f"json_extract(body, '$.{key}')" for key in _TEXT_KEYS},
        "format_version": "json_extract(body, '$.v')",
    },
    "postgresql": {
        "occurred_at": (
            f"timezone('UTC', make_timestamp(substr({_AT}, 1, 4)::int, substr({_AT}, 6, 2)::int, "
            f"substr({_AT}, 9, 2)::int, substr({_AT}, 12, 2)::int, substr({_AT}, 15, 2)::int, "
            f"substr({_AT}, 18, 9)::float8))"
        ),
        **{key: f"(body::jsonb ->> '{key}')" for key in _TEXT_KEYS},
        "format_version": "((body::jsonb ->> 'v')::smallint)",
    },
}

_SQLITE_TRIGGERS = [
    ("audit_entries_no_update", "BEFORE UPDATE ON audit_entries", "audit_entries is append-only"),
    ("audit_entries_no_delete", "BEFORE DELETE ON audit_entries", "audit_entries is append-only"),
    ("audit_checkpoints_no_update", "BEFORE UPDATE ON audit_checkpoints", "audit_checkpoints is append-only"),
    ("audit_checkpoints_no_delete", "BEFORE DELETE ON audit_checkpoints", "audit_checkpoints is append-only"),
    ("audit_chain_head_no_delete", "BEFORE DELETE ON audit_chain_head", "audit_chain_head cannot be deleted"),
    ("audit_chain_head_forward_only", "BEFORE UPDATE ON audit_chain_head WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id",
     "audit_chain_head only moves forward"),
]

_PG_FUNCTIONS = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % is refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq < OLD.seq OR NEW.id <> OLD.id THEN
    RAISE EXCEPTION 'audit_chain_head only moves forward' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
"""

_PG_TRIGGERS = [
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
    "CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    "CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
    "CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
    "CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
    "CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE ON audit_chain_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
]


def upgrade() -> None:
    # The filter columns are generated from the hashed body (app/audit/schema.py keeps the same expressions and
    # verify checks the catalog still says so), so none can be edited apart from what was hashed.
    dialect = op.get_bind().dialect.name
    derived = _DERIVED[dialect]

    def column(name: str, type_: sa.types.TypeEngine, nullable: bool) -> sa.Column:
        # VIRTUAL on SQLite (nothing stored to drift); PostgreSQL before 18 only has STORED.
        computed = sa.Computed(sa.text(derived[name]), persisted=True if dialect == "postgresql" else None)
        return sa.Column(name, type_, computed, nullable=nullable)

    op.create_table(
        "audit_entries",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        column("occurred_at", sa.DateTime(timezone=True), False),
        column("type", sa.String(60), False),
        column("actor_id", sa.String(200), True),
        column("student_id", sa.String(200), True),
        column("request_id", sa.String(200), True),
        column("policy_version", sa.String(80), True),
        column("config_version", sa.String(80), True),
        column("format_version", sa.SmallInteger(), False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_entries"),
    )
    student_nn = sa.text("student_id IS NOT NULL")
    request_nn = sa.text("request_id IS NOT NULL")
    op.create_index("ix_audit_entries_student_id_seq", "audit_entries", ["student_id", "seq"],
                    sqlite_where=student_nn, postgresql_where=student_nn)
    op.create_index("ix_audit_entries_request_id_seq", "audit_entries", ["request_id", "seq"],
                    sqlite_where=request_nn, postgresql_where=request_nn)
    op.create_index("ix_audit_entries_actor_id_seq", "audit_entries", ["actor_id", "seq"])
    op.create_index("ix_audit_entries_type_seq", "audit_entries", ["type", "seq"])
    op.create_index("ix_audit_entries_occurred_at", "audit_entries", ["occurred_at"])

    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_head_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])

    op.create_table(
        "audit_checkpoints",
        sa.Column("id", SEQ, autoincrement=True, nullable=False),
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(80), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoints"),
    )
    op.create_index("ix_audit_checkpoints_seq", "audit_checkpoints", ["seq"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTIONS)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for name, when, message in _SQLITE_TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade() -> None:
    refuse_while_entries_exist()
    # Dropping the tables drops their triggers on both dialects; the functions outlive them on PostgreSQL.
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chain_head")
    op.drop_index("ix_audit_entries_occurred_at", table_name="audit_entries")
    op.drop_index("ix_audit_entries_type_seq", table_name="audit_entries")
    op.drop_index("ix_audit_entries_actor_id_seq", table_name="audit_entries")
    op.drop_index("ix_audit_entries_request_id_seq", table_name="audit_entries")
    op.drop_index("ix_audit_entries_student_id_seq", table_name="audit_entries")
    op.drop_table("audit_entries")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward_only()")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


def refuse_while_entries_exist() -> None:
    """The log is the district's proof of what it disclosed: no downgrade may drop or narrow it while it holds
    entries (export it, then empty a copy of the database, to go back)."""
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_entries")).scalar_one()
    if count:
        raise RuntimeError(f"refusing to downgrade: the audit log holds {count} entries")
