"""foundation

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 03:27:50.581725
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('disclosure_requests',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('district_id', sa.String(length=200), nullable=True),
    sa.Column('student_id', sa.String(length=200), nullable=True),
    sa.Column('school_id', sa.String(length=200), nullable=True),
    sa.Column('caller_id', sa.String(length=200), nullable=False),
    sa.Column('requester_id', sa.String(length=200), nullable=False),
    sa.Column('recipient_id', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=60), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('decision', sa.String(length=30), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('use_restrictions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('notice_version', sa.String(length=60), nullable=True),
    sa.Column('approvals', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('released_by', sa.String(length=200), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sealed', sa.Boolean(), nullable=False),
    sa.Column('in_record', sa.Boolean(), nullable=False),
    sa.Column('named_student_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('emergency_used_id', sa.String(length=64), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('policy_version', sa.String(length=80), nullable=False),
    sa.Column('config_version', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_requests'))
    )
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_requests_decision'), ['decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_requests_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_requests_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_requests_student_id'), ['student_id'], unique=False)

    op.create_table('districts',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('timezone', sa.String(length=100), nullable=False),
    sa.Column('mou_signed_on', sa.Date(), nullable=True),
    sa.Column('mou_withdrawn_on', sa.Date(), nullable=True),
    sa.Column('mou_filed_with_dese', sa.Boolean(), nullable=False),
    sa.Column('annual_notifications', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('home_language_duty', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('law_enforcement_units', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('calendar', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts'))
    )
    op.create_table('legal_orders',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('student_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('invalid_reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('validated_by', sa.String(length=200), nullable=True),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejected_reason', sa.Text(), nullable=True),
    sa.Column('parent_notice', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('parent_notice_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_orders'))
    )
    with op.batch_alter_table('legal_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_orders_student_id'), ['student_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('student_id', sa.String(length=200), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('filed_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_student_id'), ['student_id'], unique=False)

    op.create_table('emergencies',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('district_id', sa.String(length=200), nullable=False),
    sa.Column('school_id', sa.String(length=200), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('declared_by', sa.String(length=200), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('review_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_emergencies_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emergencies'))
    )
    with op.batch_alter_table('emergencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emergencies_district_id'), ['district_id'], unique=False)

    op.create_table('schools',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('district_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('grades', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_schools_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schools'))
    )
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schools_district_id'), ['district_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('district_id', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('affiliation', sa.String(length=500), nullable=True),
    sa.Column('agency_type', sa.String(length=40), nullable=False),
    sa.Column('school_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sro_certified_until', sa.Date(), nullable=True),
    sa.Column('mou_contact', sa.Boolean(), nullable=False),
    sa.Column('declared_relationships', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('student_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('children', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_users_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_district_id'), ['district_id'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('district_id', sa.String(length=200), nullable=False),
    sa.Column('school_id', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('classification', sa.String(length=60), nullable=False),
    sa.Column('students', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('reporting_duties', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_incidents_district_id_districts')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_incidents_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_district_id'), ['district_id'], unique=False)

    op.create_table('students',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('district_id', sa.String(length=200), nullable=False),
    sa.Column('school_id', sa.String(length=200), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('grade_level', sa.String(length=20), nullable=True),
    sa.Column('enrolled', sa.Boolean(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('home_language', sa.String(length=20), nullable=True),
    sa.Column('directory_opt_out', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_students_district_id_districts')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_students_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_students'))
    )
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_students_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_students_school_id'), ['school_id'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('student_id', sa.String(length=200), nullable=False),
    sa.Column('body', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('invalid_reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=200), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_consents_student_id_students')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_student_id'), ['student_id'], unique=False)

    op.create_table('student_fields',
    sa.Column('student_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_student_fields_student_id_students'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('student_id', 'name', name=op.f('pk_student_fields'))
    )



def downgrade() -> None:

    op.drop_table('student_fields')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_student_id'))

    op.drop_table('consents')
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_students_school_id'))
        batch_op.drop_index(batch_op.f('ix_students_district_id'))

    op.drop_table('students')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_district_id'))

    op.drop_table('incidents')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_district_id'))

    op.drop_table('users')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schools_district_id'))

    op.drop_table('schools')
    with op.batch_alter_table('emergencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emergencies_district_id'))

    op.drop_table('emergencies')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_student_id'))

    op.drop_table('reports')
    with op.batch_alter_table('legal_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_orders_student_id'))

    op.drop_table('legal_orders')
    op.drop_table('districts')
    with op.batch_alter_table('disclosure_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_student_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_school_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_district_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_decision'))
        batch_op.drop_index(batch_op.f('ix_disclosure_requests_created_at'))

    op.drop_table('disclosure_requests')

