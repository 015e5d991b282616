"""Benchmark: intake over HTTP, and how soon its outbox relay publishes (a script, not a test).

    .venv/bin/python -m tests.benchmarks.bench_intake_http --requests 5000 --concurrency 1,8,32
    .venv/bin/python -m tests.benchmarks.bench_intake_http --before /tmp/speed-before
    .venv/bin/python -m tests.benchmarks.bench_intake_http --profile var/intake-profile

Issue 12, item 11: intake took 78 to 90 requests/s with the relay's 95th
percentile at 0.9 to 4.4 s; the goal is 500 requests/s and under 200 ms.

One embedded broker for the whole run. For each database (SQLite, and a fresh
PostgreSQL database unless ``--postgres ''``), each tree (this one, and the one
``--before`` names: a copy of the old code, run with the same venv) and each
concurrency, a fresh database and a fresh intake process started as
``welfare serve intake`` starts it (its JSON logs to a file, as in production),
``--firms`` firms enrolled, then ``--requests`` PUT /v1/firms/{f}/demand/{line}
from C httpx.AsyncClient workers. Each request changes a line (the firms' lines
are cycled, so a firm keeps ``--lines`` lines), so each one writes one
DemandSubmitted to the outbox. Printed: requests/s, the latency p50/p95/p99, and
the relay's publish latency p50/p95, two ways:

- ``seen``: from the client getting its answer to a consumer in this process
  reading the event (matched by line id and version) on welfare.demand.v1;
- ``outbox``: the row's ``published_at`` minus its ``created_at`` (both written
  by intake; published_at is written once the row's batch is acknowledged).

The runs of the two trees alternate, concurrency by concurrency, so that the
machine's load (printed with ``uptime``) weighs on both alike; which one goes
first alternates too, since the broker's "seen" latency grows as its log does.
The relay's warnings in intake's log, if any, are printed after its run. ``--profile DIR``
runs intake under pyinstrument (its event loop) and a stack sampler of every
thread (the database work runs in worker threads, which pyinstrument does not
see), and writes both there. ``--cpu-profile DIR`` instead writes a cProfile of the
event loop's thread timed by that thread's CPU clock (wall time counts the waits for
the GIL as the loop's own) and the CPU seconds of the other threads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import create_engine, text

from schemas.topics import DEMAND
from services.common.auth import Role, issue
from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.kafka import KafkaConnection, ensure_topics
from services.common.settings import Settings
from tests.support.postgres import fresh_database

HERE = Path(__file__).resolve().parents[2]
NETWORK = "bench"

# The server process: what ``welfare serve intake`` does (services/cli/serve_cmd.py),
# without its os._exit, so that a profile is written when it stops; run with the
# tree under test first on sys.path.
SERVER = r"""
import asyncio, contextlib, os, sys, threading, time, collections, traceback
from services.common.settings import Settings
from services.common.kafka import KafkaConnection
from services.common.logs import configure
from services.intake.bootstrap import build

settings = Settings()
configure("intake", settings.log_level, settings.log_json)
service = build(settings, KafkaConnection(settings, settings.kafka_bootstrap))
service.port = int(os.environ["BENCH_PORT"])
profile = os.environ.get("BENCH_PROFILE")
samples = collections.Counter()
leaves = collections.Counter()
done = threading.Event()

def sample():
    # Every thread's stack every 2 ms: pyinstrument sees the main thread only.
    me = threading.get_ident()
    names = {}
    while not done.wait(0.002):
        for t in threading.enumerate():
            names[t.ident] = t.name.split("-")[0].split("_")[0]
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            stack = traceback.extract_stack(frame)
            kind = "main" if ident == threading.main_thread().ident else "worker"
            if stack:
                leaf = stack[-1]
                leaves[(kind, f"{leaf.filename.split('site-packages/')[-1]}:{leaf.name}")] += 1
            seen = set()
            for entry in stack:
                key = (kind, f"{entry.filename.split('site-packages/')[-1]}:{entry.name}")
                if key not in seen:
                    seen.add(key)
                    samples[key] += 1
            samples[(kind, "<all>")] += 1

async def main():
    await service.run(host="127.0.0.1")

if profile:
    from pyinstrument import Profiler
    profiler = Profiler(interval=0.001, async_mode="disabled")
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    profiler.start()
cpu_profile = os.environ.get("BENCH_CPU_PROFILE")
if cpu_profile:
    # The event loop's thread by its own CPU time (not wall time, which counts the
    # waits for the GIL held by the database threads as the loop's own).
    import cProfile
    profiler = cProfile.Profile(timer=time.thread_time)
    profiler.enable()
try:
    asyncio.run(main())
finally:
    if cpu_profile:
        import pstats
        profiler.disable()
        with open(cpu_profile + ".cpu.txt", "w") as out:
            main_cpu = time.thread_time()
            threads = [t for t in threading.enumerate() if t is not threading.main_thread()]
            others = 0.0
            for t in threads:
                with contextlib.suppress(OSError, OverflowError, TypeError):
                    others += time.clock_gettime(time.pthread_getcpuclockid(t.ident))
            out.write(f"CPU: event loop thread {main_cpu:.2f} s (profiled, so inflated), "
                      f"other live threads {others:.2f} s\n")
            for order in ("tottime", "cumulative"):
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats(order).print_stats(70)
    if profile:
        profiler.stop()
        done.set()
        with open(profile + ".main.txt", "w") as out:
            out.write(profiler.output_text(show_all=False, unicode=False, color=False))
        with open(profile + ".main.flat.txt", "w") as out:
            # Where the event loop's time went, function by function (self time).
            out.write(profiler.output_text(flat=True, show_all=True, unicode=False, color=False))
        with open(profile + ".main.html", "w") as out:
            out.write(profiler.output_html())
        with open(profile + ".threads.txt", "w") as out:
            for kind in ("worker", "main"):
                total = samples[(kind, "<all>")] or 1
                out.write(f"== {kind} threads: {total} samples; inclusive share ==\n")
                rows = sorted(((n, k) for k, n in samples.items() if k[0] == kind), reverse=True)
                for n, (_, name) in rows[:70]:
                    out.write(f"{n / total:7.1%}  {name}\n")
                out.write(f"== {kind} threads: where the samples were (leaf) ==\n")
                rows = sorted(((n, k) for k, n in leaves.items() if k[0] == kind), reverse=True)
                for n, (_, name) in rows[:30]:
                    out.write(f"{n / total:7.1%}  {name}\n")
"""


def line_body(line_id: str, units: int) -> dict:
    return {"line": {"line_id": line_id, "category": "childcare", "municipality": "035033",
                     "weeks": ["2027-W27", "2027-W28"], "units": units,
                     "max_unit_price_eur": "150.00", "priority": 1, "respondents": 12}}


def firm_body(firm_id: str) -> dict:
    return {"network_id": NETWORK,
            "firm": {"firm_id": firm_id, "name": f"Ditta {firm_id}", "ateco_sector": "C",
                     "employees": 120, "welfare_budget_eur": "25000.00"}}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@dataclass
class Result:
    tree: str
    database: str
    concurrency: int
    rate: float
    latency_ms: list[float]
    seen_ms: list[float]
    outbox_ms: list[float]
    refused: int
    missing: int
    client_cpu_s: float
    wall_s: float
    extra: dict = field(default_factory=dict)

    def line(self) -> str:
        lat, seen, box = self.latency_ms, self.seen_ms, self.outbox_ms
        return (f"{self.database:<8} {self.tree:<7} C={self.concurrency:<3} "
                f"{self.rate:>7.0f} req/s  latency p50 {pct(lat, .5):6.1f} p95 {pct(lat, .95):6.1f} "
                f"p99 {pct(lat, .99):6.1f} ms | relay seen p50 {pct(seen, .5):6.1f} "
                f"p95 {pct(seen, .95):6.1f} ms | outbox p50 {pct(box, .5):6.1f} "
                f"p95 {pct(box, .95):6.1f} ms | refused {self.refused} missing {self.missing} "
                f"| intake cpu {self.extra['server_cpu_ms']:.2f} ms/req, "
                f"client cpu {self.client_cpu_s / self.wall_s:.0%}")


class Watcher:
    """Reads welfare.demand.v1 from its end, noting when each (line, version) arrives."""

    def __init__(self, bootstrap: str) -> None:
        # A short fetch wait: the consumer's own long poll (500 ms by default) is
        # not the relay's latency.
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                         enable_auto_commit=False, fetch_max_wait_ms=10)
        self.seen: dict[tuple[str, int], float] = {}
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        await self.consumer.start()
        partitions = self.consumer.partitions_for_topic(DEMAND) or set()
        tps = [TopicPartition(DEMAND, p) for p in sorted(partitions)]
        self.consumer.assign(tps)
        await self.consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, not at the first record
            await self.consumer.position(tp)
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=100, max_records=2000)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    event = json.loads(record.value)
                    line = event.get("line") or {}
                    key = (line.get("line_id") or event.get("line_id"), event["entity_version"])
                    self.seen.setdefault(key, now)

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.consumer.stop()


@contextlib.asynccontextmanager
async def intake_process(tree: Path, bootstrap: str, database_url: str, tokens: Path,
                         workdir: Path, profile: Path | None, profile_kind: str = "wall"):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(tree), "WELFARE_KAFKA_BOOTSTRAP": bootstrap,
           "WELFARE_KAFKA_IDEMPOTENT_PRODUCER": "false", "WELFARE_DATABASE_URL": database_url,
           "WELFARE_TOKENS_FILE": str(tokens), "WELFARE_DATA_DIR": str(workdir),
           "BENCH_PORT": str(port)}
    if profile is not None:
        env["BENCH_PROFILE" if profile_kind == "wall" else "BENCH_CPU_PROFILE"] = str(profile)
    log = (workdir / "intake.log").open("w")
    process = subprocess.Popen([sys.executable, "-c", SERVER], cwd=tree, env=env,
                               stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"intake stopped: see {workdir / 'intake.log'}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/ready")).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("intake not ready in 90 s")
                await asyncio.sleep(0.2)
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        # The relay's warnings (a log gone backwards and republished, refusals): they
        # explain a "seen" latency far above the "outbox" one.
        warned = [line for line in (workdir / "intake.log").read_text().splitlines()
                  if '"level": "warning"' in line or '"level": "error"' in line]
        for line in warned[:5]:
            print(f"  intake: {line[:300]}", flush=True)
        if len(warned) > 5:
            print(f"  intake: ... {len(warned) - 5} more warnings", flush=True)


async def one_run(*, tree: Path, label: str, database: str, database_url: str, bootstrap: str,
                  firms: int, lines: int, requests: int, concurrency: int,
                  profile: Path | None, profile_kind: str = "wall") -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as folder:
        workdir = Path(folder)
        tokens = workdir / "tokens.json"
        operator = issue(tokens, Role.OPERATOR, "ops")
        firm_ids = [f"ditta{i:03d}" for i in range(firms)]
        firm_tokens = {f: issue(tokens, Role.FIRM, f) for f in firm_ids}
        url_db = database_url.replace("{folder}", folder)
        async with intake_process(tree, bootstrap, url_db, tokens, workdir,
                                  profile, profile_kind) as (url, pid):
            limits = httpx.Limits(max_connections=concurrency,
                                  max_keepalive_connections=concurrency)
            async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
                for f in firm_ids:
                    reply = await client.put(f"/v1/firms/{f}", json=firm_body(f),
                                             headers={"Authorization": f"Bearer {operator}"})
                    assert reply.status_code == 200, reply.text
                watcher = Watcher(bootstrap)
                await watcher.start()
                answered: dict[tuple[str, int], float] = {}
                latencies: list[float] = []
                refused = 0
                counter = iter(range(requests))

                async def worker() -> None:
                    nonlocal refused
                    for i in counter:
                        firm = firm_ids[i % firms]
                        line_id = f"{firm}.l{(i // firms) % lines:03d}"
                        units = 1 + (i // (firms * lines)) % 50
                        sent = time.perf_counter()
                        try:
                            reply = await client.put(
                                f"/v1/firms/{firm}/demand/{line_id}",
                                json=line_body(line_id, units),
                                headers={"Authorization": f"Bearer {firm_tokens[firm]}"})
                        except httpx.TransportError:  # a keep-alive closed under load: counted
                            refused += 1
                            continue
                        got = time.perf_counter()
                        if reply.status_code not in (200, 202):
                            refused += 1
                            continue
                        latencies.append((got - sent) * 1000)
                        receipt = reply.json()
                        if receipt["changed"]:
                            answered[(line_id, receipt["entity_version"])] = got

                cpu = time.process_time()
                server_cpu = cpu_seconds(pid)
                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                wall = time.perf_counter() - started
                cpu = time.process_time() - cpu
                deadline = time.monotonic() + 60
                while not set(answered) <= set(watcher.seen) and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                server_cpu = cpu_seconds(pid) - server_cpu
                await watcher.stop()
        seen_ms = [(watcher.seen[key] - at) * 1000 for key, at in answered.items()
                   if key in watcher.seen]
        missing = len(set(answered) - set(watcher.seen))
        outbox_ms = outbox_latencies(url_db)
    return Result(label, database, concurrency, requests / wall, latencies, seen_ms, outbox_ms,
                  refused, missing, cpu, wall, {"server_cpu_ms": server_cpu * 1000 / requests})


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process: what a request costs, whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def outbox_latencies(database_url: str) -> list[float]:
    url = database_url
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT created_at, published_at FROM intake_outbox "
                "WHERE event_type = 'DemandSubmitted' AND published_at IS NOT NULL")).all()
    finally:
        engine.dispose()
    out = []
    for created, published in rows:
        if isinstance(created, str):  # SQLite without SQLAlchemy's DateTime type
            from datetime import datetime
            created, published = datetime.fromisoformat(created), datetime.fromisoformat(published)
        out.append((published - created).total_seconds() * 1000)
    return out


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


async def main(args: argparse.Namespace) -> None:
    trees = [("after", HERE)]
    if args.before:
        trees.insert(0, ("before", Path(args.before).resolve()))
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    print(f"machine: {uptime()}", flush=True)
    broker = EmbeddedBroker().start()
    results: list[Result] = []
    try:
        settings = Settings(kafka_bootstrap=broker.bootstrap, kafka_idempotent_producer=False)
        await ensure_topics(KafkaConnection.from_settings(settings))
        databases = [("sqlite", None)]
        if args.postgres:
            databases.append(("postgres", args.postgres))
        pairs = 0
        for database, server in databases:
            for concurrency in concurrencies:
                # Which tree goes first alternates: the embedded broker's "seen" latency
                # grows with its log (the same tree run four times in a row at C=32:
                # p95 130, 188, 461, 762 ms), which weighed on the second of each pair.
                pairs += 1
                for label, tree in (trees if pairs % 2 else trees[::-1]):
                    profile = None
                    folder = args.profile or args.cpu_profile
                    if folder:
                        folder.mkdir(parents=True, exist_ok=True)
                        profile = folder / f"{label}-{database}-c{concurrency}"
                    with contextlib.ExitStack() as stack:
                        if server is None:
                            url = "sqlite:///{folder}/intake.db"
                        else:
                            url = stack.enter_context(fresh_database(server))
                            url = url.replace("postgresql+psycopg://", "postgresql://", 1)
                        result = await one_run(
                            tree=tree, label=label, database=database, database_url=url,
                            bootstrap=broker.bootstrap, firms=args.firms, lines=args.lines,
                            requests=args.requests, concurrency=concurrency, profile=profile,
                            profile_kind="wall" if args.profile else "cpu")
                    results.append(result)
                    print(result.line(), flush=True)
    finally:
        broker.stop()
    print(f"machine: {uptime()}", flush=True)
    if args.before:
        print("ratios after/before (requests/s; relay seen p95):")
        for database, _ in databases:
            for concurrency in concurrencies:
                pair = {r.tree: r for r in results
                        if r.database == database and r.concurrency == concurrency}
                if len(pair) == 2:
                    b, a = pair["before"], pair["after"]
                    print(f"  {database:<8} C={concurrency:<3} {a.rate / b.rate:5.2f}x req/s; "
                          f"relay p95 {pct(b.seen_ms, .95):.0f} -> {pct(a.seen_ms, .95):.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--firms", type=int, default=50)
    parser.add_argument("--lines", type=int, default=20, help="lines each firm keeps")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--before", default=None,
                        help="a copy of the old tree (git archive HEAD | tar -x -C DIR)")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a server URL; '' for SQLite only")
    parser.add_argument("--profile", type=Path, default=None,
                        help="pyinstrument (wall time) and a stack sampler of every thread")
    parser.add_argument("--cpu-profile", type=Path, default=None,
                        help="cProfile of the event loop's thread by its CPU time, and the "
                             "CPU of the other threads")
    asyncio.run(main(parser.parse_args()))
