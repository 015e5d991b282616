"""The services on loopback, as their composition roots build them, and a round run.

Each service runs in the test's event loop on a free port (``tests.support.services``),
on the embedded broker and its own database. The book goes in as intake and supply
would publish it; the round is started through the operator's HTTP API, and is
done when the matcher's ``/metrics`` reports the coverage of its network.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from schemas.capacity import (
    CapacityOffer,
    CapacityOffered,
    PriceTier,
    ProviderEnrolled,
    ProviderProfile,
)
from schemas.demand import DemandLine, DemandSubmitted, FirmEnrolled, FirmProfile
from schemas.topics import DEMAND, TOPIC_OF, encode, record_key
from services.common.auth import Role, issue
from services.common.kafka import KafkaConnection
from services.common.settings import Settings
from tests.support.services import running

SERVICES = ("intake", "supply", "matcher", "operator")
NETWORK = "modena"
TOWN = "036023"  # Modena
WEEKS = ["2027-W27", "2027-W28"]
# Served / demanded unit-weeks: the camp takes 6 of the 10 children, the carer
# all 10 relatives: (6 + 10) / (10 + 10).
EXPECTED_COVERAGE = 0.8
MATCHER_OPTIONS = {"round_poll_s": 0.2, "lag_interval_s": 0.5, "gauges_interval_s": 0.5,
                   "settle_timeout_s": 5.0, "relay_idle_interval_s": 0.2}


def available() -> list[str]:
    return [s for s in SERVICES if importlib.util.find_spec(f"services.{s}.bootstrap")]


def book() -> list:
    """Two firms, two providers; the camp is too small for both firms' children."""
    firms = [FirmEnrolled(network_id=NETWORK, entity_version=1, firm=FirmProfile(
        firm_id=f, name=f.title(), ateco_sector="C", employees=40,
        welfare_budget_eur=Decimal("100000.00"))) for f in ("ceramiche", "tessile")]
    providers = [ProviderEnrolled(network_id=NETWORK, entity_version=1, provider=ProviderProfile(
        provider_id=p, name=p.title(), kind="social_cooperative")) for p in ("gulliver", "aurora")]

    def offer(offer_id, provider_id, category, capacity):
        return CapacityOffered(network_id=NETWORK, entity_version=1, provider_id=provider_id,
                               offer=CapacityOffer(
                                   offer_id=offer_id, category=category, municipalities=[TOWN],
                                   weeks=WEEKS, capacity_per_week=capacity, min_group_per_week=0,
                                   fixed_cost_per_week_eur=Decimal("0.00"),
                                   price_tiers=[PriceTier(min_volume=0,
                                                          unit_price_eur=Decimal("100.00"))]))

    def line(line_id, firm_id, category, units):
        return DemandSubmitted(network_id=NETWORK, entity_version=1, firm_id=firm_id,
                               line=DemandLine(line_id=line_id, category=category,
                                               municipality=TOWN, weeks=WEEKS, units=units,
                                               max_unit_price_eur=Decimal("200.00"), priority=1,
                                               respondents=10))

    return [*firms, *providers,
            offer("gulliver.camp", "gulliver", "childcare", 6),
            offer("aurora.care", "aurora", "home_care", 50),
            line("ceramiche.camp", "ceramiche", "childcare", 6),
            line("tessile.camp", "tessile", "childcare", 4),
            line("tessile.care", "tessile", "home_care", 10)]


async def publish(bootstrap: str, messages: list, *, poison: bytes | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for message in messages:
            await producer.send_and_wait(TOPIC_OF[type(message)], encode(message),
                                         key=record_key(message))
        if poison is not None:  # a record no consumer can read: it must be dead-lettered
            await producer.send_and_wait(DEMAND, poison, key=b"poison")
    finally:
        await producer.stop()


def settings_for(bootstrap: str, database_url: str, data_dir: Path, tokens: Path) -> Settings:
    return Settings(
        kafka_bootstrap=bootstrap,
        kafka_idempotent_producer=False,
        kafka_session_timeout_ms=3000,
        kafka_heartbeat_interval_ms=300,
        kafka_request_timeout_ms=3000,
        database_url=database_url,
        data_dir=data_dir,
        tokens_file=tokens,
    )


def build(service: str, settings: Settings):
    module = importlib.import_module(f"services.{service}.bootstrap")
    connection = KafkaConnection(settings, settings.kafka_bootstrap)
    if service == "matcher":
        from services.matcher.options import MatcherOptions

        return module.build(settings, connection, MatcherOptions(**MATCHER_OPTIONS))
    return module.build(settings, connection)


# Intake's own network, so that its line does not change the round run in modena:
# 12 childcare answers make a line; 3 babysitting answers are withheld (below k),
# and so are 11 home-care ones (else headcount minus childcare gives the 3 away).
INTAKE_NETWORK = "reggio"
INTAKE_FIRM = "fonderia"
SURVEY = [("cc", 12, "childcare", "035033"), ("bs", 3, "babysitting", "035033"),
          ("hc", 11, "home_care", "035033")]


def survey_answers() -> list[dict]:
    return [{"pseudonym": f"{prefix}{i:03d}", "category": category, "municipality": town,
             "weeks": WEEKS, "units": 1, "max_unit_price_eur": "120.00"}
            for prefix, count, category, town in SURVEY for i in range(count)]


@dataclass
class Pipeline:
    settings: Settings
    urls: dict[str, str]  # service -> base URL on loopback
    operator_token: str
    firm_token: str
    round_id: str | None = None
    coverage_seen: float | None = None
    log_lines: list[str] = field(default_factory=list)  # JSON lines, when captured
    survey_outcome: dict | None = None
    scrapes: dict[str, str] = field(default_factory=dict)

    async def scrape(self, service: str) -> str:
        async with httpx.AsyncClient(base_url=self.urls[service], timeout=10) as client:
            reply = await client.get("/metrics")
        reply.raise_for_status()
        self.scrapes[service] = reply.text
        return reply.text

    async def ready(self, service: str) -> tuple[int, dict]:
        async with httpx.AsyncClient(base_url=self.urls[service], timeout=10) as client:
            reply = await client.get("/ready")
        return reply.status_code, reply.json()

    async def start_round(self) -> str:
        async with httpx.AsyncClient(base_url=self.urls["operator"], timeout=10) as client:
            reply = await client.post(
                f"/v1/networks/{NETWORK}/rounds",
                json={"weeks": f"{WEEKS[0]}..{WEEKS[-1]}", "dry_run": False,
                      "parameters": {"time_limit_s": 10}},
                headers={"Authorization": f"Bearer {self.operator_token}"})
        assert reply.status_code == 202, reply.text
        self.round_id = reply.json()["round_id"]
        return self.round_id

    async def coverage(self) -> float | None:
        """The matcher's welfare_round_coverage_ratio for the network, if any.

        Raises if the matcher counted a round of the network that found no solution.
        """
        for family in text_string_to_metric_families(await self.scrape("matcher")):
            for sample in family.samples:
                if sample.labels.get("network") != NETWORK:
                    continue
                if sample.name == "welfare_round_coverage_ratio":
                    return sample.value
                if (sample.name == "welfare_rounds_total" and sample.value
                        and sample.labels["outcome"] not in ("optimal", "feasible")):
                    raise AssertionError(f"round {self.round_id} ended {sample.labels['outcome']}"
                                         " (the matcher's log says why)")
        return None

    async def feed_intake(self) -> dict:
        """Enrol a firm and submit its employees' survey through intake's HTTP API."""
        firm = {"firm_id": INTAKE_FIRM, "name": "Fonderia S.p.A.", "ateco_sector": "C",
                "employees": 120, "welfare_budget_eur": "25000.00"}
        async with httpx.AsyncClient(base_url=self.urls["intake"], timeout=30) as client:
            enrolled = await client.put(
                f"/v1/firms/{INTAKE_FIRM}", json={"network_id": INTAKE_NETWORK, "firm": firm},
                headers={"Authorization": f"Bearer {self.operator_token}"})
            assert enrolled.status_code == 200, enrolled.text
            outcome = await client.post(
                f"/v1/firms/{INTAKE_FIRM}/survey", json=survey_answers(),
                headers={"Authorization": f"Bearer {self.firm_token}"})
        assert outcome.status_code == 200, outcome.text
        return outcome.json()

    async def book_size(self) -> tuple[float, float]:
        """(demand lines, offers) of the network, as the matcher's gauges show the book."""
        totals = {"welfare_book_demand_lines": 0.0, "welfare_book_offers": 0.0}
        for family in text_string_to_metric_families(await self.scrape("matcher")):
            for sample in family.samples:
                if sample.name in totals and sample.labels.get("network") == NETWORK:
                    totals[sample.name] += sample.value
        return totals["welfare_book_demand_lines"], totals["welfare_book_offers"]

    async def run_round(self, book_size: tuple[int, int], timeout_s: float = 120) -> float:
        """Wait until the matcher's book holds ``book_size``, run a round, return its coverage."""
        async with asyncio.timeout(timeout_s):
            while await self.book_size() != book_size:
                await asyncio.sleep(0.3)
        await self.start_round()
        async with asyncio.timeout(timeout_s):
            while (value := await self.coverage()) is None:
                await asyncio.sleep(0.3)
        self.coverage_seen = value
        return value


@contextlib.asynccontextmanager
async def pipeline(bootstrap: str, database_url: str, tmp: Path,
                   services: list[str] | None = None) -> AsyncIterator[Pipeline]:
    tokens = tmp / "tokens.json"
    operator_token = issue(tokens, Role.OPERATOR, "ops-modena")
    firm_token = issue(tokens, Role.FIRM, INTAKE_FIRM)
    settings = settings_for(bootstrap, database_url, tmp, tokens)
    urls: dict[str, str] = {}
    async with contextlib.AsyncExitStack() as stack:
        for service in services or available():
            # The operator reads rounds through the matcher's API, on the port it took.
            wired = (settings.model_copy(update={"matcher_url": urls["matcher"]})
                     if "matcher" in urls else settings)
            urls[service] = await stack.enter_async_context(
                running(build(service, wired), ready_timeout_s=90))
        yield Pipeline(settings, urls, operator_token, firm_token)
