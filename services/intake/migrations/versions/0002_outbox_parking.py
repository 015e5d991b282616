"""Intake's outbox parks rows it cannot publish: attempts, last error, when parked.

Revision ID: intake_0002
Revises: intake_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None

_TABLE = "intake_outbox"


def upgrade() -> None:
    # The shared outbox's shape (services/common/outbox.py, outbox_table): a row
    # that can never be published is parked instead of blocking every row behind it.
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer, nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("last_error", sa.Text, nullable=True))
        batch_op.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(f"ix_{_TABLE}_parked_at", ["parked_at"])


def downgrade() -> None:
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.drop_index(f"ix_{_TABLE}_parked_at")
        batch_op.drop_column("parked_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("attempts")
