"""``welfare provider listen``: the reference provider consumer."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from schemas.assignments import ContractAwarded
from services.cli.errors import CliError
from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from services.provider.listener import Decision, ProviderListener, accept_all


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("provider", help="what a provider's own system runs")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listen = actions.add_parser(
        "listen", help="consume this provider's awards and answer accept or decline"
    )
    listen.add_argument("--provider", required=True, help="the provider id")
    listen.add_argument("--auto", choices=("accept", "decline"),
                        help="answer every award so (default: ask on the terminal)")
    listen.add_argument("--reason", default="declined by the provider",
                        help="reason sent with a decline")
    listen.set_defaults(handler=_listen)


def describe_award(award: ContractAwarded) -> str:
    lines = sum(len(offer.lines) for offer in award.offers)
    volume = sum(offer.volume_unit_weeks for offer in award.offers)
    return (f"award {award.contract_id}: {len(award.offers)} offer(s), {lines} firm line(s), "
            f"{volume} unit-weeks")


def _ask(reason: str):
    def decide(award: ContractAwarded) -> Decision:
        print(describe_award(award), flush=True)
        answer = input("accept? [y/n] ").strip().lower()
        return Decision(accept=answer.startswith("y"), reason=reason)

    return decide


def _listen(args: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.kafka_bootstrap:
        raise CliError("WELFARE_KAFKA_BOOTSTRAP is not set: point it at the network's Kafka")
    if args.auto == "accept":
        decide = accept_all
    elif args.auto == "decline":
        decide = lambda award: Decision(accept=False, reason=args.reason)  # noqa: E731
    elif sys.stdin.isatty():
        decide = _ask(args.reason)
    else:
        raise CliError("no terminal to ask on: pass --auto accept or --auto decline")
    listener = ProviderListener(
        kafka_options=KafkaConnection.from_settings(settings).aiokafka_options(),
        decide=decide,
        providers={args.provider},
        group_id=f"provider-{args.provider}",
        on_answer=lambda award, response: print(
            f"{describe_award(award)} -> {type(response).__name__}", flush=True),
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(f"listening for awards to {args.provider} (Ctrl-C to stop)", flush=True)
        await listener.run(stop)

    asyncio.run(main())
    return 0
