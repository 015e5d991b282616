"""Running a service built by its composition root inside a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from services.common.embedded_broker import free_port
from services.common.runtime import Service


@contextlib.asynccontextmanager
async def running(service: Service, *, ready_timeout_s: float = 60) -> AsyncIterator[str]:
    """Run ``service`` on a free loopback port; yield its base URL once /ready is 200."""
    service.port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(host="127.0.0.1", stop=stop))
    url = f"http://127.0.0.1:{service.port}"
    try:
        async with httpx.AsyncClient(base_url=url) as client, asyncio.timeout(ready_timeout_s):
            while True:
                if task.done():
                    task.result()  # raise what stopped it
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/ready")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        yield url
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
