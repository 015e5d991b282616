"""Intake and supply migrate their own tables, also when started together in one process."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import inspect

from services.common.database import database_url, make_engine
from services.common.kafka import KafkaConnection
from services.intake.bootstrap import build as build_intake
from services.supply.bootstrap import build as build_supply

pytestmark = [pytest.mark.postgres]


async def test_both_services_migrate_at_once_each_into_its_own_tables(settings):
    connection = KafkaConnection.from_settings(settings)
    services = [build_intake(settings, connection), build_supply(settings, connection)]
    await asyncio.gather(*(service.on_starting() for service in services))
    await asyncio.gather(*(service.on_starting() for service in services))  # and again: no-op
    for name, tables in (("intake", {"intake_firms", "intake_answers", "intake_lines",
                                     "intake_outbox"}),
                         ("supply", {"supply_providers", "supply_offers", "supply_outbox"})):
        engine = make_engine(database_url(settings, name))
        present = set(inspect(engine).get_table_names())
        engine.dispose()
        assert tables | {f"alembic_version_{name}"} <= present
    for service in services:
        await service.on_stopped()
