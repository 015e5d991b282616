"""The sheets of the table test, made once per session by LibreOffice (``libreoffice.py``),
and intake and supply as their composition roots build them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from services.intake.bootstrap import build as build_intake
from services.supply.bootstrap import build as build_supply
from tests.integration.intake.running import running, with_tokens
from tests.integration.spreadsheets import libreoffice
from tests.integration.spreadsheets.sources import SOURCES


@pytest.fixture(scope="session")
def sheets(tmp_path_factory) -> dict[str, dict[str, object]]:
    """dialect (source, semicolon-1252, utf8-bom, xlsx) -> sheet name -> file path."""
    root = tmp_path_factory.mktemp("sheets")
    return libreoffice.convert(libreoffice.write_sources(root / "source", SOURCES), root)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    """Intake and supply on this test's broker and database (each its own tables)."""
    configured = with_tokens(settings)
    connection = KafkaConnection.from_settings(configured)
    async with running(build_intake(configured, connection)) as intake, \
            running(build_supply(configured, KafkaConnection.from_settings(configured))) as supply:
        yield intake, supply
