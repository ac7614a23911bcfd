"""report data version: data_versions (a counter bumped with every write to reported tables)

Replaces the per-machine token file ``instance/reports-data-version``.

Revision ID: 6110950bab80
Revises: 15e3a800ca2a
Create Date: 2026-12-05 10:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6110950bab80'
down_revision = '15e3a800ca2a'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions'))
    )
    op.bulk_insert(table, [{'name': 'reports', 'version': 0}])


def downgrade():
    op.drop_table('data_versions')
