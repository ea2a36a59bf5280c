"""An index for the approval queue: a district's requests by decision, in id order

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

The queue (GET /api/v1/disclosure-requests) reads a district's PENDING_APPROVAL requests in id order, a page at a
time. With only single-column indexes the database walked the requests in id order until a page of the district's
pending ones turned up: at 200,000 requests in 50 districts, 24 ms per page on SQLite, and growing with the log
(benchmarks/scale.py). On (district_id, decision, id) a page is one range read.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_disclosure_requests_district_id_decision_id", "disclosure_requests",
                    ["district_id", "decision", "id"])


def downgrade() -> None:
    op.drop_index("ix_disclosure_requests_district_id_decision_id", table_name="disclosure_requests")
