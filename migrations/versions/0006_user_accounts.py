"""users.disabled_at and user_identities: accounts that can be switched off, and the external identities of a user

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

Identity (issue 15): a disabled user (disabled_at set) is refused on every route at once; its row, and so the history
of its requests, stays. user_identities links a trusted issuer's claim value (issuer, subject) to one Gatekeeper user;
admins maintain it (PUT /api/v1/users/{id} `identities`, `gatekeeper user link`).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "user_identities",
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_identities_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("issuer", "subject", name=op.f("pk_user_identities")),
    )
    op.create_index(op.f("ix_user_identities_user_id"), "user_identities", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_user_identities_user_id"), table_name="user_identities")
    op.drop_table("user_identities")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
