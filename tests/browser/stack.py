"""The whole system for the browser tests: broker, services, the Modena network, the console.

It runs in a thread of its own with its own event loop, so that the tests drive
the browser with Playwright's synchronous API; started once per test module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from services.common.embedded_broker import EmbeddedBroker
from services.common.kafka import KafkaConnection
from services.common.runtime import running
from services.common.settings import Settings
from services.console import bootstrap as console_bootstrap
from services.demo.loader import Tokens, load_scenario
from services.demo.pipeline import running_pipeline
from services.demo.story import wait_book, wait_published
from services.scenario import generate
from services.scenario.writer import write_scenario

WEEKS = ("2027-W24", "2027-W36")


@dataclass
class Stack:
    console: str = ""
    urls: dict[str, str] = field(default_factory=dict)
    tokens: Tokens | None = None
    network: dict = field(default_factory=dict)
    bootstrap: str = ""  # the embedded broker, to read a topic in a test
    error: BaseException | None = None


@contextlib.contextmanager
def running_stack(workdir: Path, database_url: str,
                  demand_lines: int | None = None) -> Stack:
    """The Modena network (about 90 lines), or grown by provinces to ``demand_lines``."""
    stack = Stack()
    ready = threading.Event()
    stop: asyncio.Event | None = None
    loop = asyncio.new_event_loop()

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        with EmbeddedBroker() as broker:
            stack.bootstrap = broker.bootstrap
            settings = Settings(
                kafka_bootstrap=broker.bootstrap, kafka_idempotent_producer=False,
                kafka_session_timeout_ms=3000, kafka_heartbeat_interval_ms=300,
                kafka_request_timeout_ms=5000, database_url=database_url,
                data_dir=workdir)
            scenario = generate("modena", 7, demand_lines, *WEEKS)
            write_scenario(scenario, workdir / "scenario")
            stack.network = json.loads((workdir / "scenario" / "network.json").read_text())
            stack.tokens = Tokens.issue_for(
                workdir / "tokens.json", [s.firm.firm_id for s in scenario.firms],
                [s.provider.provider_id for s in scenario.providers])
            settings.tokens_file = stack.tokens.path
            connection = KafkaConnection.from_settings(settings)
            try:
                async with running_pipeline(settings, connection) as pipeline:
                    stack.urls = dict(pipeline.urls)
                    await load_scenario(workdir / "scenario", pipeline.urls["intake"],
                                        pipeline.urls["supply"], stack.tokens)
                    await wait_published(pipeline)
                    await wait_book(pipeline)
                    settings.intake_url = pipeline.urls["intake"]
                    settings.supply_url = pipeline.urls["supply"]
                    settings.operator_url = pipeline.urls["operator"]
                    async with running(console_bootstrap.build(settings, connection)) as url:
                        stack.console = url
                        ready.set()
                        await stop.wait()
            finally:
                connection.close()

    def thread_main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            stack.error = exc
        finally:
            ready.set()

    thread = threading.Thread(target=thread_main, name="browser-stack", daemon=True)
    thread.start()
    ready.wait(300)
    if stack.error is not None or not stack.console:
        thread.join(60)
        raise RuntimeError(f"the services did not start: {stack.error!r}")
    try:
        yield stack
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(120)
