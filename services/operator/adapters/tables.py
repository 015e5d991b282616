"""The operator's own tables: only its outbox of commands."""

from sqlalchemy import MetaData

from services.common.outbox import outbox_table

metadata = MetaData()
outbox = outbox_table(metadata, "operator")
