"""A round's demanded and served unit-weeks are 64-bit: their sum over a network's
lines can pass 2^31 with every line within the contracts' bounds (schemas/limits.py).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = ("demanded_unit_weeks", "served_unit_weeks")


def upgrade() -> None:
    # SQLite's INTEGER holds 64 bits already; the declared type changes with it, so that
    # the tables read the same on both databases.
    with op.batch_alter_table("matcher_rounds") as batch:
        for column in _COLUMNS:
            batch.alter_column(column, type_=sa.BigInteger(), existing_type=sa.Integer(),
                               existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("matcher_rounds") as batch:
        for column in _COLUMNS:
            batch.alter_column(column, type_=sa.Integer(), existing_type=sa.BigInteger(),
                               existing_nullable=True)
