"""A committed round made from a dry run names that dry run (``commits_round_id``),
so that the runner commits it without solving and a dry run is committed once.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("matcher_rounds") as batch:
        batch.add_column(sa.Column("commits_round_id", sa.String(100), nullable=True))
        batch.create_index("ix_matcher_rounds_commits", ["commits_round_id"])


def downgrade() -> None:
    with op.batch_alter_table("matcher_rounds") as batch:
        batch.drop_index("ix_matcher_rounds_commits")
        batch.drop_column("commits_round_id")
