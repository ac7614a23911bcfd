"""anonymous survey responses keep the survey's opening date, not the day of the answer

Revision ID: p2f1a0c0d001
Revises: j0b5e2a1b003
Create Date: 2026-12-05 19:00:00

Data only: a day with a single respondent joined that day's response to the newest participation row.
"""
from alembic import op

revision = 'p2f1a0c0d001'
down_revision = 'j0b5e2a1b003'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE survey_responses SET submitted_on = "
        "(SELECT survey_instances.opens_on FROM survey_instances WHERE survey_instances.id = survey_responses.instance_id) "
        "WHERE enrolment_id IS NULL"
    )


def downgrade():
    pass  # the answer days are gone on purpose
