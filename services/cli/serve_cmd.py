"""``welfare serve intake|supply|matcher|operator``: run one service on its own."""

from __future__ import annotations

import argparse
import asyncio
import importlib

from services.cli.errors import CliError
from services.common.kafka import KafkaConnection, ensure_topics
from services.common.logs import configure
from services.common.settings import Settings

SERVICES = ("intake", "supply", "matcher", "operator")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run one service (needs WELFARE_KAFKA_BOOTSTRAP, e.g. from `welfare broker`)"
    )
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("--port", type=int, help="HTTP port (default from the settings)")
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.kafka_bootstrap:
        raise CliError(
            "WELFARE_KAFKA_BOOTSTRAP is not set: start Kafka (or `welfare broker --port 9092`) "
            "and set WELFARE_KAFKA_BOOTSTRAP=127.0.0.1:9092; `welfare demo` runs everything at once"
        )
    configure(args.service, settings.log_level, settings.log_json)
    connection = KafkaConnection.from_settings(settings)
    bootstrap = importlib.import_module(f"services.{args.service}.bootstrap")
    service = bootstrap.build(settings, connection)
    if args.port:
        service.port = args.port

    async def main() -> None:
        if settings.kafka_create_topics:
            await ensure_topics(connection)
        await service.run(host=settings.http_host)

    asyncio.run(main())
    return 0
