"""Benchmark: 1, 2 and 3 matcher instances on one PostgreSQL, side by side (a script).

    .venv/bin/python -m tests.benchmarks.bench_instances --instances 1 2 3

For each instance count, on a fresh embedded broker and a fresh PostgreSQL
database: start that many ``python -m services.matcher`` processes (one
consumer group), then

- ingestion: publish the books of ``--networks`` networks (firms, providers,
  offers, ``--lines`` demand lines each) at once and time until every event is
  in the matcher's inbox (``matcher_processed_events``): events per second;
- rounds: request ``--rounds`` rounds on every network at once (a network's
  rounds run one after another, different networks' side by side) and time
  until all are completed: rounds per minute, and on how many instances they ran.

The optimiser is the real one (``matcher:solve_round``), which is CPU-bound:
on a machine with 2 cores, 3 instances cannot solve faster than 2, and the
broker, PostgreSQL and the benchmark itself share the same cores. Figures on a
shared machine are noisy: compare the columns of one run, not runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from services.common.database import database_url, make_engine
from services.common.embedded_broker import EmbeddedBroker
from services.common.settings import Settings
from services.matcher.adapters import tables as t
from tests.integration.matcher_service.service import MatcherProcess, publish
from tests.support.postgres import fresh_database, postgres_server
from tests.unit.matcher_service import builders as b


def book(network: str, lines: int, firms: int = 20, providers: int = 10) -> list:
    return [
        *(b.firm(f"{network}-f{i}", network=network) for i in range(firms)),
        *(b.provider(f"{network}-p{i}", network=network) for i in range(providers)),
        *(b.offer(f"{network}-o{i}", f"{network}-p{i}", capacity=max(lines // 3, 5),
                  price=f"{90 + i}.00", network=network) for i in range(providers)),
        *(b.line(f"{network}-l{i:05d}", f"{network}-f{i % firms}", units=1 + i % 3,
                 network=network) for i in range(lines)),
    ]


def scalar(engine, query) -> int:
    with engine.connect() as connection:
        return connection.execute(query).scalar() or 0


async def wait(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.1)


async def measure(instances: int, args, server: str, logs: Path) -> dict:
    with EmbeddedBroker() as broker, fresh_database(server) as url:
        settings = Settings(kafka_bootstrap=broker.bootstrap, kafka_idempotent_producer=False,
                            kafka_session_timeout_ms=3000, kafka_heartbeat_interval_ms=300,
                            kafka_request_timeout_ms=3000, database_url=url)
        processes = [MatcherProcess(settings, logs / f"m{instances}-{n}.log",
                                    round_lease_s=30) for n in range(instances)]
        engine = make_engine(database_url(settings, "matcher"))
        try:
            for process in processes:
                process.start()
            for process in processes:
                await process.ready()
            await asyncio.sleep(3)  # let the groups settle on all members
            networks = [f"net{n}" for n in range(args.networks)]
            events = [e for network in networks for e in book(network, args.lines)]
            began = time.perf_counter()
            await publish(broker.bootstrap, *events)
            await wait(lambda: scalar(engine, select(func.count())
                                      .select_from(t.processed_events)) >= len(events),
                       600, "ingestion")
            ingest_s = time.perf_counter() - began

            commands = [b.start_round(f"{network}-r{k}", network=network,
                                      time_limit_s=args.time_limit)
                        for k in range(args.rounds) for network in networks]
            began = time.perf_counter()
            await publish(broker.bootstrap, *commands)
            done = select(func.count()).where(t.rounds.c.status.in_(("completed", "failed")))
            await wait(lambda: scalar(engine, done) >= len(commands), 1200, "rounds")
            rounds_s = time.perf_counter() - began
            owners = scalar(engine, select(func.count(func.distinct(t.rounds.c.lease_owner))))
            failed = scalar(engine, select(func.count()).where(t.rounds.c.status == "failed"))
        finally:
            for process in processes:
                process.stop()
            engine.dispose()
    return {"instances": instances, "events": len(events), "ingest_s": ingest_s,
            "events_per_s": len(events) / ingest_s, "rounds": len(commands),
            "rounds_s": rounds_s, "rounds_per_min": len(commands) / rounds_s * 60,
            "owners": owners, "failed": failed}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--networks", type=int, default=6)
    parser.add_argument("--lines", type=int, default=500, help="demand lines per network")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per network")
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; {args.networks} networks x {args.lines} lines, "
          f"{args.rounds} rounds each; real optimiser")
    rows = []
    with postgres_server() as server, tempfile.TemporaryDirectory() as logs:
        for n in args.instances:
            rows.append(await measure(n, args, server, Path(logs)))
            row = rows[-1]
            print(f"  {n} instance(s): ingestion {row['events']} events in "
                  f"{row['ingest_s']:.1f} s = {row['events_per_s']:.0f}/s; {row['rounds']} "
                  f"rounds in {row['rounds_s']:.1f} s = {row['rounds_per_min']:.1f}/min "
                  f"on {row['owners']} instance(s), {row['failed']} failed", flush=True)
    base = rows[0]
    print("\n| instances | ingestion events/s | x | rounds/min | x | ran on |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['instances']} | {row['events_per_s']:.0f} | "
              f"{row['events_per_s'] / base['events_per_s']:.2f} | "
              f"{row['rounds_per_min']:.1f} | "
              f"{row['rounds_per_min'] / base['rounds_per_min']:.2f} | {row['owners']} |")


if __name__ == "__main__":
    asyncio.run(main())
