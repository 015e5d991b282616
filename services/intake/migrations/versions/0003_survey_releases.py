"""Intake remembers every release of a survey cell, so that none can be differenced.

Revision ID: intake_0003
Revises: intake_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0003"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # services/intake/domain/releases.py: a cell's line changes only when its
    # answers differ from every earlier release by at least k answers.
    op.create_table(
        "intake_releases",
        sa.Column("line_id", sa.String(100), primary_key=True),
        sa.Column("release_no", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.String(100), sa.ForeignKey("intake_firms.firm_id"),
                  nullable=False, index=True),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("intake_releases")
