"""The operator's season, told end to end on a generated Modena network.

1. the network's firms and providers join and publish, through the HTTP APIs;
2. a dry run shows what the network could do, and awards nothing;
3. the reviewed dry run is committed as it was: its contracts are awarded to
   providers over Kafka;
4. the reference provider systems answer: one provider declines, the others accept;
5. a repair round keeps the accepted contracts and finds the declined demand a new home;
   providers hear only what changed: nothing for an unchanged contract, an amendment
   for a changed one, a withdrawal for a dropped one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from services.common.kafka import KafkaConnection
from services.common.runtime import CannotStart, check_port_free, running
from services.common.settings import Settings
from services.console import bootstrap as console_bootstrap
from services.demo.loader import Tokens, load_scenario
from services.demo.pipeline import Pipeline, running_pipeline
from services.operator.client import OperatorClient
from services.operator.report import format_round, headline
from services.provider.listener import Decision, ProviderListener
from services.scenario import generate
from services.scenario.writer import summary, write_scenario

Say = Callable[[str], None]


@dataclass
class Outcome:
    dry_run: dict
    committed: dict
    repair: dict
    declined_provider: str | None


def prepare_settings(workdir: Path) -> Settings:
    """The environment's settings; without a database URL, fresh SQLite files in workdir."""
    settings = Settings()
    if "WELFARE_DATABASE_URL" not in os.environ:
        shutil.rmtree(workdir, ignore_errors=True)
        settings.database_url = f"sqlite:///{workdir}/{{service}}.db"
    workdir.mkdir(parents=True, exist_ok=True)
    return settings


async def run_demo(say: Say, *, workdir: Path, seed: int = 7,
                   weeks: str = "2027-W24..2027-W36", time_limit_s: float = 20.0,
                   linger: Callable[[], Awaitable[None]] | None = None) -> Outcome:
    """Play the season; then, with ``linger``, keep everything (and the console) running
    until it returns, so that a person can log in and look around."""
    settings = prepare_settings(workdir)
    first, last = weeks.split("..")
    scenario = generate("modena", seed, None, first, last)
    write_scenario(scenario, workdir / "scenario")
    say(f"Scenario (seed {seed}): {summary(scenario)}")

    network = scenario.network_id
    tokens = Tokens.issue_for(workdir / "tokens.json",
                              [site.firm.firm_id for site in scenario.firms],
                              [site.provider.provider_id for site in scenario.providers])
    settings.tokens_file = tokens.path
    connection = KafkaConnection.from_settings(settings)
    say(f"Kafka: {'embedded broker' if connection.embedded else 'external Kafka'} at "
        f"{connection.bootstrap}; databases: {settings.database_url}")
    try:
        async with running_pipeline(settings, connection) as pipeline, \
                contextlib.AsyncExitStack() as console:
            console_url = await console.enter_async_context(
                running_console(settings, connection, pipeline))
            say("Services: " + ", ".join(f"{n} {u}" for n, u in pipeline.urls.items())
                + f", console {console_url}")
            loaded = await load_scenario(workdir / "scenario", pipeline.urls["intake"],
                                         pipeline.urls["supply"], tokens)
            say(f"Loaded over HTTP: {loaded.firms} firms and {loaded.providers} providers "
                f"enrolled by the operator; {loaded.survey_answers} survey answers from "
                f"{loaded.survey_firms} firms; {loaded.lines_submitted} aggregated lines from "
                f"the others; {loaded.offers} offers uploaded as CSV")
            await wait_published(pipeline)
            lines, offers = await wait_book(pipeline)
            say(f"The matcher's book: {lines:.0f} demand lines (intake published only "
                f"k-anonymous aggregates), {offers:.0f} offers")
            operator = OperatorClient(pipeline.urls["operator"], tokens.operator)
            params = {"time_limit_s": time_limit_s}

            say("\n== Dry run ==")
            dry = await run_round(operator, network, weeks, True, params)
            say(format_round(dry))

            # The operator commits exactly what it reviewed: the dry run's snapshot and
            # result become the committed round, with no new solve.
            say("\n== Committed round ==")
            committed = await commit_reviewed(operator, dry["round_id"])
            for _ in range(2):
                if committed["status"] == "completed":
                    break
                # The matcher refuses a commit when the book changed since the dry run
                # (here: events still being ingested); the operator reviews a new one.
                say(headline(committed))
                say("(a new dry run, to commit what the book now holds)")
                dry = await run_round(operator, network, weeks, True, params)
                say(format_round(dry))
                committed = await commit_reviewed(operator, dry["round_id"])
            say(f"(dry run {dry['round_id']} committed as reviewed: no new solve)")
            say(format_round(committed))

            say("\n== Providers answer ==")
            declined = await providers_answer(pipeline, committed, say)
            committed = await wait_responses_recorded(operator, committed["round_id"])

            say("\n== Repair round ==")
            repair = await run_round(operator, network, weeks, False, params)
            say(format_round(repair))
            say(compare(committed, repair, declined))
            say(told_providers(committed, repair))
            operator.close()
            say(console_invitation(console_url, tokens, declined))
            if linger is not None:
                await linger()
    finally:
        connection.close()
    return Outcome(dry, committed, repair, declined)


def running_console(settings: Settings, connection: KafkaConnection, pipeline: Pipeline):
    """The web console in front of the pipeline, on its usual port when that is free."""
    settings.intake_url = pipeline.urls["intake"]
    settings.supply_url = pipeline.urls["supply"]
    settings.operator_url = pipeline.urls["operator"]
    try:
        check_port_free("127.0.0.1", settings.console_port)
        port = settings.console_port
    except CannotStart:
        port = None  # another console runs there: any free port will do
    return running(console_bootstrap.build(settings, connection), port=port)


def console_invitation(url: str, tokens: Tokens, declined: str | None) -> str:
    """Where to look around after the season, with a ready token for each role."""
    firm = sorted(tokens.firms)[0]
    provider = declined or sorted(tokens.providers)[0]
    return "\n".join([
        "\n== Console ==",
        f"Open {url}/ and log in with one of these tokens:",
        f"  operator (demo-operator): {tokens.operator}",
        f"  firm {firm}: {tokens.firms[firm]}",
        f"  provider {provider}: {tokens.providers[provider]}",
        f"(for another firm or provider: WELFARE_TOKENS_FILE={tokens.path} "
        "welfare tokens issue --role firm|provider --subject ID)",
    ])


async def wait_published(pipeline: Pipeline, timeout_s: float = 120) -> None:
    """Until intake's and supply's outboxes are empty: all they accepted is on Kafka."""
    async with asyncio.timeout(timeout_s):
        while any([await pipeline.metric(s, "welfare_outbox_backlog_messages")
                   for s in ("intake", "supply")]):
            await asyncio.sleep(0.3)


async def wait_book(pipeline: Pipeline, timeout_s: float = 120) -> tuple[float, float]:
    """Until the matcher's book holds demand and offers: the operator refuses a round
    on a network the matcher has not heard of, and the book gauges refresh every few
    seconds. Returns the demand lines and offers it counts."""
    async with asyncio.timeout(timeout_s):
        while True:
            lines = await pipeline.metric("matcher", "welfare_book_demand_lines")
            offers = await pipeline.metric("matcher", "welfare_book_offers")
            if lines and offers:
                return lines, offers
            await asyncio.sleep(0.3)


async def run_round(operator: OperatorClient, network: str, weeks: str, dry_run: bool,
                    parameters: dict) -> dict:
    started = await asyncio.to_thread(operator.start_round, network, weeks, dry_run=dry_run,
                                      parameters=parameters)
    return await asyncio.to_thread(operator.wait, started["round_id"], timeout_s=900)


async def commit_reviewed(operator: OperatorClient, dry_run_id: str) -> dict:
    started = await asyncio.to_thread(operator.commit_round, dry_run_id)
    return await asyncio.to_thread(operator.wait, started["round_id"], timeout_s=900)


async def providers_answer(pipeline: Pipeline, committed: dict, say: Say) -> str | None:
    """The reference provider consumer, for every provider: the one with the most
    lines declines (its educators are not available), the others accept."""
    awarded = [c for c in committed.get("contracts", []) if c["awarded"]]
    if not awarded:
        say("no contracts were awarded, so nobody answers")
        return None
    lines = {c["provider_id"]: sum(len(o["lines"]) for o in c["offers"]) for c in awarded}
    decliner = max(sorted(lines), key=lambda p: lines[p])

    def decide(award) -> Decision:
        if award.provider_id == decliner:
            return Decision(accept=False, reason="educators not available this summer")
        return Decision(accept=True)

    stop = asyncio.Event()

    def answered(award, response) -> None:
        say(f"  {award.provider_id}: {type(response).__name__} ({award.contract_id})")
        if len(listener.answered) >= len(awarded):
            stop.set()

    listener = ProviderListener(
        kafka_options=pipeline.connection.aiokafka_options(), decide=decide,
        group_id="demo-providers", on_answer=answered,
        providers={c["provider_id"] for c in awarded},
    )
    await asyncio.wait_for(listener.run(stop), 120)
    return decliner


async def wait_responses_recorded(operator: OperatorClient, round_id: str,
                                  timeout_s: float = 120) -> dict:
    """Until the matcher has recorded every answer; the round as it then stands."""
    async with asyncio.timeout(timeout_s):
        while True:
            detail = await asyncio.to_thread(operator.get_round, round_id)
            awarded = [c for c in detail["contracts"] if c["awarded"]]
            if all(c["response"] for c in awarded):
                return detail
            await asyncio.sleep(0.3)


def compare(committed: dict, repair: dict, declined: str | None) -> str:
    def assignments(detail: dict) -> dict[tuple[str, str], int]:
        return {(line["line_id"], offer["offer_id"]): line["units"]
                for c in detail["contracts"] for offer in c["offers"] for line in offer["lines"]}

    before, after = assignments(committed), assignments(repair)
    accepted = {(line["line_id"], offer["offer_id"])
                for c in committed["contracts"] if c["response"] == "accepted"
                for offer in c["offers"] for line in offer["lines"]}
    kept = sum(1 for pair in accepted if after.get(pair) == before[pair])
    moved_away = [pair for pair in before if pair not in accepted and pair not in after]
    new = [pair for pair in after if pair not in before]
    return (f"Repair: {kept} of {len(accepted)} accepted assignments kept unchanged; "
            f"{len(moved_away)} assignment(s) of {declined or 'nobody'} released; "
            f"{len(new)} new assignment(s) found for them elsewhere")


def told_providers(committed: dict, repair: dict) -> str:
    """What the repair round told providers. A contract kept unchanged carries the
    announcing event of the committed round's contract: nothing was sent again."""
    before = {c["provider_id"]: c for c in committed["contracts"] if c["awarded"]}
    after = {c["provider_id"]: c for c in repair["contracts"] if c["awarded"]}
    kept = sorted(p for p in after if p in before
                  and after[p].get("award_event_id") == before[p].get("award_event_id"))
    amended = sorted(p for p in after if p in before and p not in kept)
    withdrawn = sorted(p for p in before if p not in after)
    new = sorted(p for p in after if p not in before)

    def named(providers: list[str]) -> str:
        return f" ({', '.join(providers)})" if providers else ""

    return (f"Providers told: {len(kept)} contract(s) unchanged, nothing sent{named(kept)}; "
            f"{len(amended)} amendment(s){named(amended)}; "
            f"{len(withdrawn)} withdrawal(s){named(withdrawn)}; "
            f"{len(new)} new award(s){named(new)}")
