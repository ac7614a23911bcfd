"""mail queue: send_started_at (at-most-once delivery fence)

Revision ID: j0b5e2a1b001
Revises: c1a5e0d1a0c2
Create Date: 2026-12-05 13:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'j0b5e2a1b001'
down_revision = 'c1a5e0d1a0c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_started_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('send_started_at')
