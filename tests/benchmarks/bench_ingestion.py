"""Benchmark: the matcher's ingestion of demand, side by side (a script, not a test).

    .venv/bin/python -m tests.benchmarks.bench_ingestion --events 50000
    .venv/bin/python -m tests.benchmarks.bench_ingestion --events 50000 --profile var/ingest

One run, one embedded broker, the same demand events on the topic for every
reader (issue 12, item 11):

- (a) a plain aiokafka consumer reading them;
- (b) the same, validating each with the project's pydantic models (``decode``);
- (c) the matcher service (``bootstrap.build``, in this process) applying them to
  its book on SQLite, through the inbox, until every event id is recorded;
- (d) the same on a fresh PostgreSQL database (``--postgres``, default 127.0.0.1).

For (c) and (d) it prints the time to the first applied event (the consumer
groups joining) and the rate from the first applied event to the last, with
its ratio to (b), measured again just before and just after each run (the
machine's load moves within a run); and this process's CPU time per event
(every thread; PostgreSQL's own work is in its server) beside (b)'s, a figure
that moves less with the load, and the garbage collector's share.
``--profile DIR`` runs pyinstrument over (c) and (d) and writes the HTML there.
Figures on a shared machine are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import tempfile
import time
import uuid
from pathlib import Path
from typing import NamedTuple

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from schemas.topics import DEMAND, decode, encode, record_key
from services.common.database import make_engine
from services.common.embedded_broker import EmbeddedBroker, free_port
from services.common.gc_tuning import collect_less_often
from services.common.kafka import KafkaConnection, ensure_topics
from services.common.settings import Settings
from services.matcher.adapters import tables as t
from services.matcher.bootstrap import build
from services.matcher.options import MatcherOptions
from tests.unit.matcher_service import builders as b


def events(count: int) -> list:
    firms = max(count // 100, 1)
    return [b.line(f"line{i:06d}", f"firm{i % firms:04d}", units=1 + i % 5)
            for i in range(count)]


async def produce(bootstrap: str, batch: list) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20,
                                max_batch_size=512 * 1024)
    await producer.start()
    try:
        sends = [await producer.send(DEMAND, encode(e), key=record_key(e)) for e in batch]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


class Rate(NamedTuple):
    per_s: float  # events per second, wall clock
    cpu_us: float  # this process's CPU time per event (every thread), microseconds


async def plain(bootstrap: str, count: int, validate: bool) -> Rate:
    """How fast a consumer reads (and maybe validates) every event."""
    consumer = AIOKafkaConsumer(DEMAND, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    seen = 0
    try:
        # The clock starts with the first record: joining is not reading.
        first = await consumer.getone()
        started, cpu = time.perf_counter(), time.process_time()
        seen = 1
        if validate:
            decode(first.topic, first.value)
        while seen < count:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                for record in records:
                    if validate:
                        decode(record.topic, record.value)
                seen += len(records)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        return Rate((count - 1) / seconds, cpu / (count - 1) * 1e6)
    finally:
        await consumer.stop()


class GarbageCollections:
    """How many collections the cyclic garbage collector ran, and for how long, while
    counting: the collector stops every thread, and a big heap makes it slow."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started: float | None = None

    def __enter__(self) -> GarbageCollections:
        gc.callbacks.append(self._on)
        return self

    def __exit__(self, *_exc) -> None:
        gc.callbacks.remove(self._on)

    def _on(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:  # not the end of one begun before counting
            self.count += 1
            self.seconds += time.perf_counter() - self._started
            self._started = None


async def matcher(bootstrap: str, url: str, count: int, profile: Path | None,
                  label: str) -> tuple[float, Rate]:
    """(seconds to the first applied event, the rate from the first to the last)."""
    settings = Settings(
        kafka_bootstrap=bootstrap, kafka_idempotent_producer=False,
        kafka_session_timeout_ms=3000, kafka_heartbeat_interval_ms=300,
        kafka_request_timeout_ms=3000, database_url=url, matcher_port=free_port(),
        data_dir=Path(tempfile.mkdtemp(prefix="bench-ingestion-")))
    service = build(settings, KafkaConnection.from_settings(settings),
                    MatcherOptions(lag_interval_s=1.0, gauges_interval_s=30.0))
    engine = make_engine(url if "sqlite" in url else
                         make_url(url).set(drivername="postgresql+psycopg"))

    def applied() -> int:
        try:
            with engine.connect() as connection:
                return connection.execute(
                    select(func.count()).select_from(t.processed_events)).scalar()
        except Exception:  # noqa: BLE001 - not migrated yet
            return 0

    profiler = None
    if profile is not None:
        from pyinstrument import Profiler
        profiler = Profiler(async_mode="disabled")
    stop = asyncio.Event()
    launched = time.perf_counter()
    if profiler:
        profiler.start()
    task = asyncio.create_task(service.run(stop=stop))
    try:
        while (done := await asyncio.to_thread(applied)) == 0:
            await asyncio.sleep(0.05)
        first_at, cpu = time.perf_counter(), time.process_time()
        first_count = done
        with GarbageCollections() as collections:
            while done < count:
                if task.done():
                    raise RuntimeError(f"the matcher stopped: {task.exception()!r}")
                await asyncio.sleep(0.1)
                done = await asyncio.to_thread(applied)
        finished, cpu = time.perf_counter(), time.process_time() - cpu
        print(f"    {label}: {collections.count:,} garbage collections took "
              f"{collections.seconds:.2f} s of {finished - first_at:.2f} s", flush=True)
    finally:
        if profiler:
            profiler.stop()
        stop.set()
        await asyncio.wait_for(task, 60)
        engine.dispose()
    if profiler:
        profile.mkdir(parents=True, exist_ok=True)
        (profile / f"matcher-{label}.html").write_text(profiler.output_html())
        (profile / f"matcher-{label}.txt").write_text(profiler.output_text(show_all=False))
    applied_events = max(count - first_count, 1)
    rate = applied_events / max(finished - first_at, 1e-9)
    return first_at - launched, Rate(rate, cpu / applied_events * 1e6)


@contextlib.contextmanager
def fresh_postgres(server: str):
    name = f"bench_ingestion_{uuid.uuid4().hex[:10]}"
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def on_broker(batch: list):
    """A fresh embedded broker holding ``batch``: each matcher run gets its own, since
    the matcher's consumer groups commit their offsets (a second run on the same
    broker would start at the end)."""
    broker = EmbeddedBroker().start()
    settings = Settings(kafka_bootstrap=broker.bootstrap, kafka_idempotent_producer=False)
    await ensure_topics(KafkaConnection.from_settings(settings))
    await produce(broker.bootstrap, batch)
    return broker


async def beside_b(label: str, bootstrap: str, run) -> None:
    """A matcher run with (b) measured just before and just after it on the same
    broker: the machine's load moves within a run, and the ratio is to their mean."""
    before = await plain(bootstrap, COUNT, validate=True)
    join_s, rate = await run()
    after = await plain(bootstrap, COUNT, validate=True)
    valid = (before.per_s + after.per_s) / 2
    cpu = (before.cpu_us + after.cpu_us) / 2
    print(f"{label}{rate.per_s:>10,.0f} events/s ({rate.per_s / valid:.0%} of (b) "
          f"{before.per_s:,.0f} before, {after.per_s:,.0f} after); CPU {rate.cpu_us:.0f} us "
          f"per event against (b)'s {cpu:.0f} us ({cpu / rate.cpu_us:.0%}); first event "
          f"applied {join_s:.1f} s after launch", flush=True)


COUNT = 0


async def main(args: argparse.Namespace) -> None:
    global COUNT
    count = COUNT = args.events
    # The collector as the matcher sets it when it starts (after its first run it would be
    # so anyway): (b) and the matcher compared under the same one.
    collect_less_often()
    print(f"generating {count:,} DemandSubmitted events ...", flush=True)
    batch = events(count)
    broker = await on_broker(batch)
    try:
        plain_rate = await plain(broker.bootstrap, count, validate=False)
        print(f"(a) plain aiokafka consumer:          {plain_rate.per_s:>10,.0f} events/s",
              flush=True)
        valid_rate = await plain(broker.bootstrap, count, validate=True)
        print(f"(b) plain consumer + pydantic decode: {valid_rate.per_s:>10,.0f} events/s",
              flush=True)
        if args.sqlite:
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/matcher.db"
                await beside_b("(c) matcher on SQLite:                ", broker.bootstrap,
                               lambda: matcher(broker.bootstrap, url, count, args.profile,
                                               "sqlite"))
    finally:
        broker.stop()
    if args.postgres:
        broker = await on_broker(batch)
        try:
            with fresh_postgres(args.postgres) as url:
                await beside_b("(d) matcher on PostgreSQL:            ", broker.bootstrap,
                               lambda: matcher(broker.bootstrap, url, count, args.profile,
                                               "postgres"))
        finally:
            broker.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a server URL; '' to skip (d)")
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false",
                        help="skip (c)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write pyinstrument HTML profiles of (c) and (d) here")
    asyncio.run(main(parser.parse_args()))
