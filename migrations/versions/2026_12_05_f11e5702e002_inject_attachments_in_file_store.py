"""file store: inject attachment bytes move from exercise_attachments.data into stored_files

Revision ID: f11e5702e002
Revises: f11e5702e001
Create Date: 2026-12-05 13:40:00

A data migration: every ``exercise_attachments`` row gets a ``stored_files`` row (kind
``inject_attachment``) with its bytes, and keeps only the reference (``file_key``) — the row stays
the immutable reference that scenario and run injects share. Copied one file at a time (memory
stays bounded). The downgrade copies the bytes back.
"""
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f11e5702e002'
down_revision = 'f11e5702e001'
branch_labels = None
depends_on = None

KIND = "inject_attachment"

attachments = sa.table(
    "exercise_attachments", sa.column("id", sa.Integer), sa.column("filename", sa.String),
    sa.column("content_type", sa.String), sa.column("size", sa.Integer), sa.column("sha256", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("data", sa.LargeBinary),
    sa.column("file_key", sa.String),
)
stored = sa.table(
    "stored_files", sa.column("key", sa.String), sa.column("kind", sa.String), sa.column("name", sa.String),
    sa.column("content_type", sa.String), sa.column("size", sa.Integer), sa.column("sha256", sa.String),
    sa.column("owner_id", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("expires_at", sa.DateTime(timezone=True)), sa.column("meta", sa.JSON), sa.column("data", sa.LargeBinary),
)


def upgrade():
    with op.batch_alter_table('exercise_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_key', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    for (attachment_id,) in conn.execute(sa.select(attachments.c.id).order_by(attachments.c.id)).all():
        row = conn.execute(sa.select(attachments).where(attachments.c.id == attachment_id)).one()
        key = secrets.token_urlsafe(24)
        conn.execute(stored.insert().values(
            key=key, kind=KIND, name=row.filename, content_type=row.content_type, size=row.size,
            sha256=row.sha256, owner_id=None, created_at=row.created_at or datetime.now(UTC), expires_at=None,
            meta=None, data=row.data))
        conn.execute(attachments.update().where(attachments.c.id == attachment_id).values(file_key=key))
    with op.batch_alter_table('exercise_attachments', schema=None) as batch_op:
        batch_op.alter_column('file_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_exercise_attachments_file_key_stored_files'), 'stored_files',
                                    ['file_key'], ['key'])
        batch_op.drop_column('data')


def downgrade():
    with op.batch_alter_table('exercise_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    for (attachment_id, key) in conn.execute(sa.select(attachments.c.id, attachments.c.file_key)).all():
        data = conn.execute(sa.select(stored.c.data).where(stored.c.key == key)).scalar_one()
        conn.execute(attachments.update().where(attachments.c.id == attachment_id).values(data=data))
    with op.batch_alter_table('exercise_attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_exercise_attachments_file_key_stored_files'), type_='foreignkey')
        batch_op.drop_column('file_key')
        batch_op.alter_column('data', existing_type=sa.LargeBinary(), nullable=False)
    conn.execute(stored.delete().where(stored.c.kind == KIND))
