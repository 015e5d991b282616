"""How long the services take to converge after the broker comes back empty (issue 12, item 9).

Intake and the matcher run on the embedded broker (behind the gate of
tests/support/gated_broker.py, so that it comes back with its topics, as a
cluster does) and one database; a firm submits ten lines a second through
intake's HTTP API. The broker is stopped for ``--outage`` seconds and started
again empty while the firm goes on. Printed, per run: lines accepted, seconds
from the broker's return until both services are ready again, and until every
accepted line is in the matcher's book (the goal: 0 missing, within 30 s).

    .venv/bin/python -m tests.benchmarks.bench_broker_recovery --runs 3 --outage 30
    .venv/bin/python -m tests.benchmarks.bench_broker_recovery --database postgresql://127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from services.common.database import make_engine
from tests.e2e.monitoring.pipeline import pipeline
from tests.integration.test_broker_comes_back_empty import Firm, book, database_url_of
from tests.support.gated_broker import GatedBroker
from tests.support.postgres import fresh_database


async def ready(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(f"{url}/ready")).status_code == 200
    return False


async def one_run(database_url: str, tmp: Path, outage_s: float, timeout_s: float) -> dict:
    with GatedBroker() as broker:
        async with contextlib.AsyncExitStack() as stack:
            live = await stack.enter_async_context(
                pipeline(broker.bootstrap, database_url, tmp, services=["intake", "matcher"]))
            firm = Firm(live.urls["intake"], live.operator_token, live.firm_token)
            stack.push_async_callback(firm.client.aclose)
            await firm.enrol()
            matcher_engine = make_engine(database_url_of(live, "matcher"))
            stack.callback(matcher_engine.dispose)
            stop = asyncio.Event()
            feeder = asyncio.create_task(firm.keep_submitting(stop))
            await asyncio.sleep(3.0)
            await asyncio.to_thread(broker.stop)
            await asyncio.sleep(outage_s)
            await asyncio.to_thread(broker.start)
            back = time.monotonic()
            await asyncio.sleep(3.0)  # the firm goes on a while after the return
            stop.set()
            await feeder
            wanted = set(firm.accepted)
            ready_s = converged_s = None
            while time.monotonic() - back < timeout_s and converged_s is None:
                if ready_s is None and all([await ready(u) for u in live.urls.values()]):
                    ready_s = time.monotonic() - back
                if book(matcher_engine) >= wanted:
                    converged_s = time.monotonic() - back
                await asyncio.sleep(0.2)
            missing = len(wanted - book(matcher_engine))
            return {"accepted": len(wanted), "sent": firm.sent, "missing": missing,
                    "ready_s": ready_s, "converged_s": converged_s}


def sqlite(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'welfare.db'}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--outage", type=float, default=30.0, help="seconds the broker is away")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--database", default=None,
                        help="a PostgreSQL server URL (a fresh database per run); SQLite if absent")
    args = parser.parse_args()
    results = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            with (fresh_database(args.database) if args.database
                  else contextlib.nullcontext(sqlite(tmp))) as url:
                result = await one_run(url, tmp, args.outage, args.timeout)
        results.append(result)
        print(f"run {run}: {result['accepted']} lines accepted of {result['sent']} sent, "
              f"{result['missing']} missing from the book; ready again after "
              f"{_s(result['ready_s'])}, every accepted line in the book after "
              f"{_s(result['converged_s'])} (from the broker's return)", flush=True)
    done = [r["converged_s"] for r in results if r["converged_s"] is not None]
    if done:
        print(f"converged in {len(done)} of {len(results)} runs; median {statistics.median(done):.1f} s, "
              f"worst {max(done):.1f} s")


def _s(seconds: float | None) -> str:
    return "never (within the timeout)" if seconds is None else f"{seconds:.1f} s"


if __name__ == "__main__":
    asyncio.run(main())
