"""Supply's tables: providers, offers, outbox.

Revision ID: supply_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "supply_0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.String(100)
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "supply_providers",
        sa.Column("provider_id", _ID, primary_key=True),
        sa.Column("network_id", _ID, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_table(
        "supply_offers",
        sa.Column("offer_id", _ID, primary_key=True),
        sa.Column("provider_id", _ID, sa.ForeignKey("supply_providers.provider_id"),
                  nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("standing", sa.Boolean, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_supply_offers_provider_id", "supply_offers", ["provider_id"])
    # The shared outbox's shape (services/common/outbox.py, outbox_table).
    op.create_table(
        "supply_outbox",
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
    op.create_index("ix_supply_outbox_published_at", "supply_outbox", ["published_at"])


def downgrade() -> None:
    op.drop_table("supply_outbox")
    op.drop_table("supply_offers")
    op.drop_table("supply_providers")
