"""ministry observer role and its programme grants (issue 13 item 8)

Revision ID: c1a5e0d1a0c2
Revises: c1a5e0d1a0c1
Create Date: 2026-12-05 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c1a5e0d1a0c2'
down_revision = 'c1a5e0d1a0c1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_valid'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_role_valid'), "role in ('admin', 'organiser', 'trainee', 'focal_point', 'observer')")
    op.create_table('observer_grants',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_observer_grants_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_observer_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'programme_id', name=op.f('pk_observer_grants'))
    )


def downgrade():
    op.drop_table('observer_grants')
    op.execute("UPDATE users SET role = 'organiser', active = false WHERE role = 'observer'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role_valid'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_role_valid'), "role in ('admin', 'organiser', 'trainee', 'focal_point')")
