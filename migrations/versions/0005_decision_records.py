"""decision_records and policy_versions: the facts of every decision and the content of every policy version

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08

Decision replay (issue 13, item 6): each decision the engine makes for a request keeps the facts it was made on
(with student values taken out) and its answer; each policy version loaded is kept whole, addressed by its sha256.
Requests decided before this revision have no decision records and cannot be replayed.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("occasion", sa.String(length=30), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("policy_version", sa.String(length=80), nullable=False),
        sa.Column("facts", _JSON, nullable=False),
        sa.Column("decision", _JSON, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["disclosure_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_records_request_id", "decision_records", ["request_id"])
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("files", _JSON, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("policy_versions")
    op.drop_index("ix_decision_records_request_id", table_name="decision_records")
    op.drop_table("decision_records")
