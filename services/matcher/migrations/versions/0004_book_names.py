"""Firms and providers keep their names, so awards and round details show names next to ids.

The names arrive in FirmEnrolled and ProviderEnrolled. Rows enrolled before
this revision get theirs from the profile JSON they kept; a row with no profile
(none today) keeps NULL, and is shown by its id.

Revision ID: 0004
Revises: 0003
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = {"matcher_firms": "firm_id", "matcher_providers": "provider_id"}
_NAME_LENGTH = 200  # schemas.limits.MAX_NAME_LENGTH


def upgrade() -> None:
    for table, key in _TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name", sa.String(_NAME_LENGTH), nullable=True))
        _names_from_profiles(table, key)


def _names_from_profiles(table: str, key: str) -> None:
    rows = sa.table(table, sa.column("network_id"), sa.column(key), sa.column("payload"),
                    sa.column("name"))
    connection = op.get_bind()
    for row in connection.execute(sa.select(rows).where(rows.c.payload.is_not(None))).all():
        try:
            name = json.loads(row.payload).get("name")
        except (ValueError, AttributeError):
            continue  # not a profile: keep NULL, shown by its id
        if isinstance(name, str) and name:
            connection.execute(sa.update(rows).where(
                rows.c.network_id == row.network_id, rows.c[key] == getattr(row, key))
                .values(name=name[:_NAME_LENGTH]))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name")
