"""Supply's tables (prefix ``supply_``); the migrations create them.

Profiles and offers are stored as the JSON of their contract models: the
contract is the one place that defines them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

from services.common.outbox import Outbox, outbox_table

metadata = MetaData()

providers = Table(
    "supply_providers",
    metadata,
    Column("provider_id", String(100), primary_key=True),
    Column("network_id", String(100), nullable=False),
    Column("profile", Text, nullable=False),  # ProviderProfile JSON
    Column("version", Integer, nullable=False),  # of the last ProviderEnrolled
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

offers = Table(
    "supply_offers",
    metadata,
    Column("offer_id", String(100), primary_key=True),
    Column("provider_id", String(100), ForeignKey("supply_providers.provider_id"),
           nullable=False, index=True),
    Column("version", Integer, nullable=False),  # of the last event about the offer
    Column("standing", Boolean, nullable=False),  # False once withdrawn
    Column("content", Text, nullable=False),  # CapacityOffer JSON, as last offered
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

outbox = Outbox(outbox_table(metadata, "supply"))
