from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from services.supply.bootstrap import build
from tests.integration.intake.running import running, with_tokens


@pytest.fixture
async def supply(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Supply as its composition root builds it, on this test's broker and database."""
    configured = with_tokens(settings)
    async with running(build(configured, KafkaConnection.from_settings(configured))) as client:
        yield client
