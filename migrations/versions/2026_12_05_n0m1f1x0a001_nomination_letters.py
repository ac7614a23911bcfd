"""nomination letters: which queued message is which candidate's decision letter

Revision ID: n0m1f1x0a001
Revises: p2f1a0c0d001
Create Date: 2026-12-05 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'n0m1f1x0a001'
down_revision = 'p2f1a0c0d001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nomination_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['nomination_candidates.id'],
                            name=op.f('fk_nomination_letters_candidate_id_nomination_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mail_id'], ['outgoing_mail.id'], name=op.f('fk_nomination_letters_mail_id_outgoing_mail'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomination_letters'))
    )
    with op.batch_alter_table('nomination_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_letters_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_letters_mail_id'), ['mail_id'], unique=False)


def downgrade():
    with op.batch_alter_table('nomination_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_letters_mail_id'))
        batch_op.drop_index(batch_op.f('ix_nomination_letters_candidate_id'))
    op.drop_table('nomination_letters')
