"""A running round says where it is: its phase (waiting_for_book, snapshot, solving,
storing), the part being solved of how many, and since when (the runner writes them,
services/matcher/phases.py). NULL when no runner is at work on the round: before its
claim and once it completed or failed, where the status says the end.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = ("phase", "phase_part", "phase_parts", "phase_since")


def upgrade() -> None:
    # Nullable columns with no default: rounds stored before this revision read as
    # "no phase", which is what they are (finished, or about to be claimed again).
    with op.batch_alter_table("matcher_rounds") as batch:
        batch.add_column(sa.Column("phase", sa.String(16), nullable=True))
        batch.add_column(sa.Column("phase_part", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("phase_parts", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("phase_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matcher_rounds") as batch:
        for column in reversed(_COLUMNS):
            batch.drop_column(column)
