"""``welfare serve intake|supply|matcher|operator``: run one service on its own."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging

from aiokafka.errors import KafkaConnectionError

from services.cli.errors import CliError
from services.common.kafka import KafkaConnection, ensure_topics
from services.common.logs import configure
from services.common.runtime import CannotStart, PortInUse, check_port_free
from services.common.settings import Settings

SERVICES = ("intake", "supply", "matcher", "operator", "console")


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
    port = args.port or getattr(settings, f"{args.service}_port")
    try:
        check_port_free(settings.http_host, port)
    except PortInUse as exc:
        raise _port_taken(args.service, exc) from None
    connection = KafkaConnection.from_settings(settings)
    bootstrap = importlib.import_module(f"services.{args.service}.bootstrap")
    service = bootstrap.build(settings, connection)
    service.port = port

    async def main() -> None:
        if settings.kafka_create_topics:
            await _topics_when_reachable(connection)
        await service.run(host=settings.http_host)

    try:
        asyncio.run(main())
    except PortInUse as exc:  # taken between the check and the start
        raise _port_taken(args.service, exc) from None
    except CannotStart as exc:
        raise CliError(f"{args.service}: {exc}") from None
    return 0


def _port_taken(service: str, exc: PortInUse) -> CliError:
    return CliError(f"{service}: {exc} (--port or WELFARE_{service.upper()}_PORT sets it)")


async def _topics_when_reachable(connection: KafkaConnection, retry_s: float = 2.0) -> None:
    """Create the missing topics, waiting (one line each try) for Kafka to answer."""
    while True:
        try:
            await ensure_topics(connection)
            return
        except KafkaConnectionError:
            logging.getLogger(__name__).warning(
                "Kafka at %s does not answer yet: waiting to check its topics", connection.bootstrap)
            await asyncio.sleep(retry_s)
