"""file store: stored_files.meta (small JSON facts a feature checks, e.g. an import preview's cohort)

Revision ID: f11e5702e001
Revises: c1a5e0d1a003
Create Date: 2026-12-05 13:30:00

Lesson attachments move into ``stored_files`` too: ``lessons.attachment_path`` keeps its column name
but now holds a file-store key (the ORM attribute is ``Lesson.attachment_key``). Files still in the
old ``instance/course_files/`` folder are copied into the store with ``flask files import-disk``
(see the README); this revision only changes the schema.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f11e5702e001'
down_revision = 'c1a5e0d1a003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meta', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_column('meta')
