"""programmes: logo_key (the programme's logo in the file store, drawn on certificates)

Revision ID: k14c0a1b2001
Revises: n0m1f1x0a001
Create Date: 2026-12-05 18:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'k14c0a1b2001'
down_revision = 'n0m1f1x0a001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('logo_key')
