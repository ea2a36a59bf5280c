"""disclosure_named_students: the other students a released request names, as rows (R-REC-9)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08

The record of disclosures of a student lists the requests about the student and the released requests whose
records name the student. The names were only in `disclosure_requests.named_student_ids` (a JSON list), so each read
filtered every request of the district in Python; they become rows of `disclosure_named_students`, indexed on
(district_id, student_id), backfilled here from the JSON lists of the rows already written (which stay: the
record's entry shows them). The student's own requests get an index on (district_id, student_id) too.
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_named_students",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("student_id", sa.String(length=200), nullable=False),
        sa.Column("district_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["disclosure_requests.id"]),
        sa.PrimaryKeyConstraint("request_id", "student_id"),
    )
    op.create_index("ix_disclosure_named_students_district_id_student_id", "disclosure_named_students",
                    ["district_id", "student_id"])
    op.create_index("ix_disclosure_requests_district_id_student_id", "disclosure_requests",
                    ["district_id", "student_id"])
    requests = sa.table("disclosure_requests", sa.column("id", sa.String), sa.column("district_id", sa.String),
                        sa.column("named_student_ids", sa.Text))
    named = sa.table("disclosure_named_students", sa.column("request_id", sa.String),
                     sa.column("student_id", sa.String), sa.column("district_id", sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(requests.c.id, requests.c.district_id, sa.cast(requests.c.named_student_ids,
                                                                                 sa.Text))
                        .where(requests.c.district_id.is_not(None)))
    links = [{"request_id": request_id, "student_id": student_id, "district_id": district_id}
             for request_id, district_id, ids in rows
             for student_id in sorted(set(json.loads(ids) if ids else []))]
    if links:
        bind.execute(named.insert(), links)


def downgrade() -> None:
    op.drop_index("ix_disclosure_requests_district_id_student_id", table_name="disclosure_requests")
    op.drop_index("ix_disclosure_named_students_district_id_student_id", table_name="disclosure_named_students")
    op.drop_table("disclosure_named_students")
