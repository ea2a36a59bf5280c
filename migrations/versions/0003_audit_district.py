"""audit: the district wall (audit_entries.district_id generated from the hashed body; audit_checkpoints.district_id)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Hand-written like 0002. `audit_entries.district_id` is one more column generated from `body` (app/audit/schema.py):
entries written before this revision have no `district_id` member, so theirs is null, and no row is rewritten, so the
append-only triggers are not involved and every hash still verifies. ADD COLUMN puts it after the existing columns
(SQLite keeps the table constraints last), which is where the model declares it, so verify's schema check still
reads the table as ours. On SQLite a generated column added by ALTER TABLE must be VIRTUAL, as all of ours are.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DERIVED = {
    "sqlite": "json_extract(body, '$.district_id')",
    "postgresql": "(body::jsonb ->> 'district_id')",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    computed = sa.Computed(sa.text(_DERIVED[dialect]), persisted=True if dialect == "postgresql" else None)
    op.add_column("audit_entries", sa.Column("district_id", sa.String(200), computed, nullable=True))
    district_nn = sa.text("district_id IS NOT NULL")
    op.create_index("ix_audit_entries_district_id_seq", "audit_entries", ["district_id", "seq"],
                    sqlite_where=district_nn, postgresql_where=district_nn)
    op.add_column("audit_checkpoints", sa.Column("district_id", sa.String(200), nullable=True))
    op.create_index("ix_audit_checkpoints_district_id", "audit_checkpoints", ["district_id"])


def downgrade() -> None:
    refuse_while_entries_exist()
    # DROP COLUMN rewrites no row through UPDATE on either database, so the append-only triggers stay in place.
    op.drop_index("ix_audit_checkpoints_district_id", table_name="audit_checkpoints")
    op.drop_index("ix_audit_entries_district_id_seq", table_name="audit_entries")
    op.drop_column("audit_checkpoints", "district_id")
    op.drop_column("audit_entries", "district_id")


def refuse_while_entries_exist() -> None:
    """The log is the district's proof of what it disclosed: no downgrade may drop or narrow it while it holds
    entries (export it, then empty a copy of the database, to go back)."""
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_entries")).scalar_one()
    if count:
        raise RuntimeError(f"refusing to downgrade: the audit log holds {count} entries")
