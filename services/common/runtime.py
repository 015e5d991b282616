"""Running a service: its HTTP API, its Kafka broker and its loops, until told to stop.

A composition root builds the pieces and hands them to ``run_service``. The
broker is (re)connected in the background, so a service starts, answers
``/health`` and reports ``/ready`` = 503 while Kafka is away, instead of
crashing; SIGINT and SIGTERM stop everything in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from tenacity import wait_fixed

from services.common.kafka import IdempotenceRefused, connect_broker
from services.common.retrying import until_stopped

log = logging.getLogger(__name__)


class CannotStart(RuntimeError):
    """A service cannot start as configured; the message says what to change."""


class PortInUse(CannotStart):
    pass

Loop = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class Service:
    """What a composition root (``services/<name>/bootstrap.py``) builds.

    Building connects to nothing: ``on_starting`` (migrations, say) runs when
    the service starts, so tools can build a service just to inspect it (the
    topics its broker reads and writes, its OpenAPI document).
    """

    name: str
    app: FastAPI | None
    port: int
    broker: KafkaBroker | None = None
    loops: list[Loop] = field(default_factory=list)
    on_starting: Callable[[], Awaitable[None]] | None = None
    on_stopped: Callable[[], Awaitable[None]] | None = None

    async def run(self, host: str = "127.0.0.1", stop: asyncio.Event | None = None) -> None:
        if self.on_starting is not None:
            await self.on_starting()
        await run_service(name=self.name, app=self.app, host=host, port=self.port,
                          broker=self.broker, loops=self.loops, stop=stop,
                          on_stopped=self.on_stopped)


async def keep_broker_started(broker: KafkaBroker, stop: asyncio.Event,
                              retry_s: float = 1.0) -> None:
    """Start the broker, retrying until Kafka answers; then hold until stop."""
    if stop.is_set():
        return
    try:
        async for attempt in until_stopped(stop, wait=wait_fixed(retry_s),
                                           what="connecting to Kafka", final=(IdempotenceRefused,)):
            with attempt:
                await _connect_or_stop_half_started(broker)
    except IdempotenceRefused as exc:
        raise CannotStart(str(exc)) from None
    except Exception:
        if not stop.is_set():
            raise
        return  # told to stop while Kafka was away
    log.info("connected to Kafka")
    await stop.wait()


async def _connect_or_stop_half_started(broker: KafkaBroker) -> None:
    try:
        await connect_broker(broker)
    except IdempotenceRefused:
        raise
    except Exception:
        with contextlib.suppress(Exception):  # half-started clients; nothing to save
            await broker.stop()
        raise


async def run_service(
    *,
    name: str,
    app: FastAPI | None,
    host: str,
    port: int,
    broker: KafkaBroker | None = None,
    loops: list[Loop] | None = None,
    stop: asyncio.Event | None = None,
    on_stopped: Callable[[], Awaitable[None]] | None = None,
) -> None:
    stop = stop or asyncio.Event()
    if app is not None:
        check_port_free(host, port)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (RuntimeError, ValueError):  # not the main thread (tests)
            pass

    # The API's own loops too (create_api's readiness refresher).
    loops = [*(loops or []), *(getattr(app.state, "loops", []) if app is not None else [])]
    tasks = [asyncio.create_task(body(stop), name=f"{name}:{i}")
             for i, body in enumerate(loops)]
    if broker is not None:
        tasks.append(asyncio.create_task(keep_broker_started(broker, stop), name=f"{name}:kafka"))
    server = None
    if app is not None:
        config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                                lifespan="off")
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # ours above
        tasks.append(asyncio.create_task(server.serve(), name=f"{name}:http"))
    log.info("%s started", name)

    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    fatal: CannotStart | None = None
    for task in done:
        if task is stopper or task.exception() is None:
            continue
        error = task.exception()
        if isinstance(error, CannotStart):
            fatal = error
            log.error("%s cannot start: %s", name, error)
        else:
            log.error("%s: %s failed: %r", name, task.get_name(), error)
    if server is not None:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    if broker is not None:
        await broker.stop()
    if on_stopped is not None:
        await on_stopped()
    log.info("%s stopped", name)
    if fatal is not None:
        raise fatal


def check_port_free(host: str, port: int) -> None:
    """Refuse to start on a port already taken, in one sentence, before anything runs.

    uvicorn would log a traceback and exit the process from inside a task.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {port} on {host} is already in use: stop what "
                                "holds it, or choose another port") from None
            raise CannotStart(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@contextlib.asynccontextmanager
async def running(service: Service, *, host: str = "127.0.0.1", port: int | None = None,
                  ready_timeout_s: float = 60) -> AsyncIterator[str]:
    """Run ``service`` in this event loop; yield its base URL once ``/ready`` is 200.

    Without ``port``, a free loopback port is taken. Used by the demo and the tests.
    """
    from services.common.embedded_broker import free_port

    service.port = port or free_port(host)
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(host=host, stop=stop))
    url = f"http://{host}:{service.port}"
    try:
        async with httpx.AsyncClient(base_url=url) as client, asyncio.timeout(ready_timeout_s):
            while True:
                if task.done():
                    task.result()  # raise what stopped it
                    raise RuntimeError(f"{service.name} stopped before it was ready")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/ready")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        yield url
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
