"""announcements to a cohort

Revision ID: j0b5e2a1b003
Revises: j0b5e2a1b002
Create Date: 2026-12-05 14:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'j0b5e2a1b003'
down_revision = 'j0b5e2a1b002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_announcements_author_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_announcements_cohort_id_cohorts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_send_at'), ['send_at'], unique=False)


def downgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_send_at'))
        batch_op.drop_index(batch_op.f('ix_announcements_cohort_id'))
    op.drop_table('announcements')
