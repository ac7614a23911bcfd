"""privacy consents: index (user_id, recorded_at, id) for a user's latest decision, replacing the index on user_id

The cohort page asks, for each participant, whether the account's latest privacy decision is a refusal or a
withdrawal (``accounts.consent.refused_expression``: ORDER BY recorded_at DESC, id DESC LIMIT 1 per user). With an
index on user_id alone both SQLite and PostgreSQL sort each user's records for every row; with this one they read
the last index entry. It also serves every look-up by user_id, so the single-column index goes (the unique
(user_id, version) constraint's index would serve those too).

Revision ID: q17c0a1b2001
Revises: k14c0a1b2001
Create Date: 2026-12-06 20:40:00

"""
from alembic import op

revision = 'q17c0a1b2001'
down_revision = 'k14c0a1b2001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('privacy_consents', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_consents_user_latest', ['user_id', 'recorded_at', 'id'], unique=False)
        batch_op.drop_index('ix_privacy_consents_user_id')


def downgrade():
    with op.batch_alter_table('privacy_consents', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_consents_user_id', ['user_id'], unique=False)
        batch_op.drop_index('ix_privacy_consents_user_latest')
