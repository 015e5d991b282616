"""Intake's tables: firms, employee answers, published lines, outbox.

Revision ID: intake_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.String(100)
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "intake_firms",
        sa.Column("firm_id", _ID, primary_key=True),
        sa.Column("network_id", _ID, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("secret", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_table(
        "intake_answers",
        sa.Column("firm_id", _ID, sa.ForeignKey("intake_firms.firm_id"), primary_key=True),
        sa.Column("pseudonym", _ID, primary_key=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("municipality", sa.String(6), nullable=False),
        sa.Column("weeks", sa.Text, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("max_unit_price_cents", sa.Integer, nullable=False),
        sa.Column("single_parent", sa.Boolean, nullable=False),
        sa.Column("dependent_relative", sa.Boolean, nullable=False),
        sa.Column("required_tags", sa.Text, nullable=False),
    )
    op.create_table(
        "intake_lines",
        sa.Column("line_id", _ID, primary_key=True),
        sa.Column("firm_id", _ID, sa.ForeignKey("intake_firms.firm_id"), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("standing", sa.Boolean, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_intake_lines_firm_id", "intake_lines", ["firm_id"])
    # The shared outbox's shape (services/common/outbox.py, outbox_table).
    op.create_table(
        "intake_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("record_key", sa.LargeBinary, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("published_at", _WHEN, nullable=True),
    )
    op.create_index("ix_intake_outbox_published_at", "intake_outbox", ["published_at"])


def downgrade() -> None:
    op.drop_table("intake_outbox")
    op.drop_table("intake_lines")
    op.drop_table("intake_answers")
    op.drop_table("intake_firms")
