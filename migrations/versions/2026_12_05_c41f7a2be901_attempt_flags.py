"""attempts: questions the trainee flagged for review

Revision ID: c41f7a2be901
Revises: 5e1f6a9c2d31
Create Date: 2026-12-05 10:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c41f7a2be901'
down_revision = '5e1f6a9c2d31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flagged', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('flagged')
