"""job runs: progress of bulk jobs a user waits for

Revision ID: j0b5e2a1b002
Revises: j0b5e2a1b001
Create Date: 2026-12-05 14:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'j0b5e2a1b002'
down_revision = 'j0b5e2a1b001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('result_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_runs_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_subject_id'), ['subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_subject_id'))
        batch_op.drop_index(batch_op.f('ix_job_runs_owner_id'))
        batch_op.drop_index(batch_op.f('ix_job_runs_kind'))
    op.drop_table('job_runs')
