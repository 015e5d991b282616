"""Every operator test reads rounds through a matcher's read API, as the service does.

Only the read API runs (services/matcher/read_api.py over the matcher's
migrated database, with the test's tokens file): these tests run no round,
and the operator must reach the matcher over HTTP, never through its database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from prometheus_client import CollectorRegistry

from services.common.auth import TokenStore, authenticator
from services.common.database import database_url, make_engine
from services.common.http import create_api
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.common.runtime import Service
from services.common.settings import Settings
from services.matcher.bootstrap import MIGRATIONS, NAME
from services.matcher.read_api import read_router
from tests.support.services import running


@pytest.fixture(autouse=True)
async def matcher_api(settings: Settings, tmp_path) -> AsyncIterator[str]:
    settings.tokens_file = tmp_path / "tokens.json"  # where every test here issues tokens
    engine = make_engine(database_url(settings, NAME))
    await asyncio.to_thread(upgrade, engine, MIGRATIONS, NAME)
    app = create_api(title="matcher (read API only)", description="for operator tests",
                     metrics=ServiceMetrics(CollectorRegistry(), NAME), checks={})
    app.include_router(read_router(
        authenticate=authenticator(TokenStore.from_settings(settings)), engine=engine))
    async with running(Service(name="matcher-read", app=app, port=0)) as url:
        settings.matcher_url = url
        yield url
    engine.dispose()
