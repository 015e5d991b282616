"""``welfare provider listen``: the reference provider consumer."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from schemas.assignments import ContractAmended, ContractAnswerRefused, ContractWithdrawn
from services.cli.errors import CliError
from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from services.provider.listener import (
    Decision,
    Notice,
    Offered,
    ProviderListener,
    Superseded,
    accept_all,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("provider", help="what a provider's own system runs")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listen = actions.add_parser(
        "listen",
        help="consume this provider's awards and amendments and answer accept or decline; "
             "report withdrawals, superseded awards and refused answers",
    )
    listen.add_argument("--provider", required=True, help="the provider id")
    listen.add_argument("--auto", choices=("accept", "decline"),
                        help="answer every award so (default: ask on the terminal)")
    listen.add_argument("--reason", default="declined by the provider",
                        help="reason sent with a decline")
    listen.set_defaults(handler=_listen)


def describe_award(award: Offered) -> str:
    lines = sum(len(offer.lines) for offer in award.offers)
    volume = sum(offer.volume_unit_weeks for offer in award.offers)
    what = (f"amendment {award.contract_id} (replaces {award.replaces_contract_id})"
            if isinstance(award, ContractAmended) else f"award {award.contract_id}")
    return (f"{what}: {len(award.offers)} offer(s), {lines} firm line(s), "
            f"{volume} unit-weeks")


def describe_notice(notice: Notice) -> str:
    """A line for the terminal about what needs no answer."""
    if isinstance(notice, Superseded):
        later = notice.by
        how = (f"withdrawn by round {later.withdrawn_by_round_id}"
               if isinstance(later, ContractWithdrawn)
               else f"replaced by {later.contract_id} of round {later.round_id}")
        return (f"{describe_award(notice.offered)}: superseded, {how}; "
                f"not answered (an answer would be refused)")
    if isinstance(notice, ContractWithdrawn):
        return (f"contract {notice.contract_id} withdrawn by round "
                f"{notice.withdrawn_by_round_id}: {notice.reason or 'no reason given'}; "
                f"nothing of it is to be staffed")
    if isinstance(notice, ContractAnswerRefused):
        return f"answer to {notice.contract_id} refused ({notice.refusal}): {notice.reason}"
    return str(notice)


def _ask(reason: str):
    def decide(award: Offered) -> Decision:
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
        on_notice=lambda notice: print(describe_notice(notice), flush=True),
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
