"""``welfare provider listen``: the reference provider consumer.

For each award or amendment it prints what there is to staff, line by line, in
the reader's language (``--lang``): the firm by name, the municipality, the
service, the required tags, the weeks with their dates, units and prices.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import signal
import sys

from babel.lists import format_list

from schemas.assignments import (
    AwardedLine,
    AwardedOffer,
    ContractAmended,
    ContractAnswerRefused,
    ContractWithdrawn,
)
from schemas.municipalities import municipality_name
from services.cli.errors import CliError
from services.cli.language import add_language_option, language_texts
from services.common.i18n import Names, Texts, formats, texts, words
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

INDENT = "  "


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
    add_language_option(listen)
    listen.set_defaults(handler=_listen)


def describe_award(award: Offered, t: Texts | None = None) -> str:
    """One line: which contract, for whom, how much."""
    t = t or texts()
    provider = Names({award.provider_id: award.provider_name})(award.provider_id)
    size = dict(
        offers=t.ngettext("{n} offer", "{n} offers", len(award.offers)),
        lines=t.ngettext("{n} firm line", "{n} firm lines",
                         sum(len(offer.lines) for offer in award.offers)),
        volume=t.ngettext("{n} unit-week", "{n} unit-weeks",
                          sum(offer.volume_unit_weeks for offer in award.offers)))
    if isinstance(award, ContractAmended):
        return t._("amendment {contract} to {provider} (replaces {replaced}): "
                   "{offers}, {lines}, {volume}", contract=award.contract_id,
                   provider=provider, replaced=award.replaces_contract_id, **size)
    return t._("award {contract} to {provider}: {offers}, {lines}, {volume}",
               contract=award.contract_id, provider=provider, **size)


def describe_award_lines(award: Offered, t: Texts | None = None) -> list[str]:
    """The award as a provider staffs it: its header, each offer, each firm line under it."""
    t = t or texts()
    out = [describe_award(award, t)]
    for offer in award.offers:
        out.append(INDENT + _offer(t, offer))
        out.extend(INDENT * 2 + _line(t, line) for line in offer.lines)
    return out


def _offer(t: Texts, offer: AwardedOffer) -> str:
    return t._("offer {offer}: tier {tier} at {price} per unit-week, {weeks}",
               offer=offer.offer_id, tier=offer.tier_index + 1,
               price=formats.money(t, offer.unit_price_eur),
               weeks=weeks(t, offer.running_weeks))


def _line(t: Texts, line: AwardedLine) -> str:
    firm = Names({line.firm_id: line.firm_name})(line.firm_id)
    return t._("{firm}, line {line}: {units} a week, {category}, in {place}; requires: {tags}; "
               "{weeks}; {price} per unit-week, {cost} in all",
               firm=firm, line=line.line_id,
               units=t.ngettext("{n} unit", "{n} units", line.units),
               category=words.category(t, line.category) if line.category else formats.MISSING,
               place=place(line), tags=_tags(t, line.required_tags),
               weeks=weeks(t, line.weeks), price=formats.money(t, line.unit_price_eur),
               cost=formats.money(t, line.cost_eur))


def place(line: AwardedLine) -> str:
    """``036023 Modena (MO)``; an award from before lines named places says nothing."""
    if line.municipality is None:
        return formats.MISSING
    name = line.municipality_name or municipality_name(line.municipality)
    return f"{line.municipality} {name}" if name else line.municipality


def _tags(t: Texts, tags: list[str]) -> str:
    return ", ".join(tags) if tags else t._("nothing special")


def weeks(t: Texts, iso_weeks: list[str]) -> str:
    """Each run of consecutive ISO weeks with its dates: ``weeks 27–28, 5–18 July 2027``."""
    runs: list[list[str]] = []
    for week in sorted(iso_weeks):
        if runs and _next_week(runs[-1][-1]) == week:
            runs[-1].append(week)
        else:
            runs.append([week])
    return format_list([formats.week_range(t, run[0], run[-1]) for run in runs],
                       locale=t.locale)


def _next_week(week: str) -> str:
    monday, _ = formats.week_dates(week)
    year, number, _ = (monday + dt.timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def describe_notice(notice: Notice, t: Texts | None = None) -> str:
    """A line for the terminal about what needs no answer."""
    t = t or texts()
    if isinstance(notice, Superseded):
        later = notice.by
        if isinstance(later, ContractWithdrawn):
            return t._("{award}: superseded, withdrawn by round {round}; not answered "
                       "(an answer would be refused)", award=describe_award(notice.offered, t),
                       round=later.withdrawn_by_round_id)
        return t._("{award}: superseded, replaced by {contract} of round {round}; not "
                   "answered (an answer would be refused)",
                   award=describe_award(notice.offered, t), contract=later.contract_id,
                   round=later.round_id)
    if isinstance(notice, ContractWithdrawn):
        return t._("contract {contract} withdrawn by round {round}: {reason}; nothing of it "
                   "is to be staffed", contract=notice.contract_id,
                   round=notice.withdrawn_by_round_id,
                   reason=notice.reason or t._("no reason given"))
    if isinstance(notice, ContractAnswerRefused):
        return t._("answer to {contract} refused ({refusal}): {reason}",
                   contract=notice.contract_id, refusal=notice.refusal, reason=notice.reason)
    return str(notice)


def describe_answer(award: Offered, response, t: Texts) -> str:
    answer = "accepted" if type(response).__name__ == "ContractAccepted" else "declined"
    return t._("{contract}: answered, {answer}", contract=award.contract_id,
               answer=words.response(t, answer))


def _ask(reason: str, t: Texts):
    yes = t._("y")

    def decide(award: Offered) -> Decision:
        answer = input(t._("accept? [{yes}/{no}] ", yes=yes, no=t._("n"))).strip().lower()
        return Decision(accept=answer.startswith(yes), reason=reason)

    return decide


def _showing(decide, t: Texts):
    """Print the whole award before it is decided, by hand or not."""
    def show_then_decide(award: Offered):
        print("\n".join(describe_award_lines(award, t)), flush=True)
        return decide(award)

    return show_then_decide


def _listen(args: argparse.Namespace) -> int:
    t = language_texts(args)
    settings = Settings()
    if not settings.kafka_bootstrap:
        raise CliError(t._("WELFARE_KAFKA_BOOTSTRAP is not set: point it at the network's "
                           "Kafka"))
    if args.auto == "accept":
        decide = accept_all
    elif args.auto == "decline":
        decide = lambda award: Decision(accept=False, reason=args.reason)  # noqa: E731
    elif sys.stdin.isatty():
        decide = _ask(args.reason, t)
    else:
        raise CliError(t._("no terminal to ask on: pass --auto accept or --auto decline"))
    listener = ProviderListener(
        kafka_options=KafkaConnection.from_settings(settings).aiokafka_options(),
        decide=_showing(decide, t),
        providers={args.provider},
        group_id=f"provider-{args.provider}",
        on_answer=lambda award, response: print(describe_answer(award, response, t),
                                                flush=True),
        on_notice=lambda notice: print(describe_notice(notice, t), flush=True),
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(t._("listening for awards to {provider} (Ctrl-C to stop)",
                  provider=args.provider), flush=True)
        await listener.run(stop)

    asyncio.run(main())
    return 0
