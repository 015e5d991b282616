"""Composition root of the operator service (the parts it shares with intake and supply:
services.common.composition)."""

from __future__ import annotations

from pathlib import Path

from schemas.topics import ROUND_COMMANDS
from services.common.auth import TokenStore, authenticator
from services.common.composition import PublishingService
from services.common.kafka import KafkaConnection
from services.common.runtime import Service
from services.common.settings import Settings
from services.operator.adapters import tables
from services.operator.api import operator_router
from services.operator.downloads import downloads_router
from services.operator.adapters.rounds import ForwardLanguage, MatcherRounds

NAME = "operator"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings, connection: KafkaConnection) -> Service:
    # A broker that comes back empty gets each round's latest command again.
    parts = PublishingService.build(settings, connection, name=NAME, outbox=tables.outbox,
                                    publishes=[ROUND_COMMANDS], republishes=[ROUND_COMMANDS],
                                    migrations=MIGRATIONS)
    # Not the matcher: the operator is ready without it; reading rounds while it is
    # away answers 503 with the reason.
    app = parts.api(
        title="Welfare operator API",
        description="Start matching rounds (dry run first, then commit) and read their outcome.",
    )
    # Rounds are read through the matcher's API, never from its database, in the
    # caller's language (ForwardLanguage keeps its Accept-Language for MatcherRounds).
    rounds = MatcherRounds(settings.matcher_url, parts.engine, parts.outbox)
    app.add_middleware(ForwardLanguage)
    app.include_router(operator_router(
        authenticate=authenticator(TokenStore.from_settings(settings)),
        engine=parts.engine,
        outbox=parts.outbox,
        rounds=rounds,
        on_queued=parts.relay.wake,
    ))
    app.include_router(downloads_router(  # exports: contracts CSV/XLSX, statement and award PDFs
        authenticate=authenticator(TokenStore.from_settings(settings)), rounds=rounds))
    return parts.service(app, settings.operator_port, on_stopped=rounds.close)
