"""Intake's tables (prefix ``intake_``); the migrations create them.

Employee-level answers live in ``intake_answers`` and nowhere else. Money is
stored in cents, exact on SQLite and PostgreSQL alike; published lines and
firm profiles are stored as the JSON of their contract models.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from services.common.outbox import Outbox, outbox_table

metadata = MetaData()

firms = Table(
    "intake_firms",
    metadata,
    Column("firm_id", String(100), primary_key=True),
    Column("network_id", String(100), nullable=False),
    Column("profile", Text, nullable=False),  # FirmProfile JSON
    Column("version", Integer, nullable=False),  # of the last FirmEnrolled
    # Keys the order that breaks ties between equally small cells (suppression.py).
    Column("secret", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

answers = Table(
    "intake_answers",
    metadata,
    Column("firm_id", String(100), ForeignKey("intake_firms.firm_id"), primary_key=True),
    Column("pseudonym", String(100), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("municipality", String(6), nullable=False),
    Column("weeks", Text, nullable=False),  # ISO weeks, ";"-separated
    Column("units", Integer, nullable=False),
    Column("max_unit_price_cents", Integer, nullable=False),
    Column("single_parent", Boolean, nullable=False),
    Column("dependent_relative", Boolean, nullable=False),
    Column("required_tags", Text, nullable=False),  # ";"-separated
)

lines = Table(
    "intake_lines",
    metadata,
    Column("line_id", String(100), primary_key=True),
    Column("firm_id", String(100), ForeignKey("intake_firms.firm_id"), nullable=False,
           index=True),
    Column("source", String(10), nullable=False),  # "survey" (aggregated here) or "firm"
    Column("version", Integer, nullable=False),  # of the last event about the line
    Column("standing", Boolean, nullable=False),  # False once withdrawn
    Column("content", Text, nullable=False),  # DemandLine JSON, as last submitted
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every release of a survey cell (domain/releases.py): the line as published and
# the fingerprint of the answers behind it, keyed digests only ("p:a;p:a").
releases = Table(
    "intake_releases",
    metadata,
    Column("line_id", String(100), primary_key=True),
    Column("release_no", Integer, primary_key=True),  # 1, 2, ... per line
    Column("firm_id", String(100), ForeignKey("intake_firms.firm_id"), nullable=False,
           index=True),
    Column("content", Text, nullable=False),  # DemandLine JSON
    Column("answers", Text, nullable=False),
)

outbox = Outbox(outbox_table(metadata, "intake"))
