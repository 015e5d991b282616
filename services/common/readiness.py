"""Readiness: the service's checks, answered on ``/ready`` and kept fresh in the gauge.

``welfare_dependency_up{dependency=...}`` is what alerts read. Were it set only
when ``/ready`` is called, a service nobody probes would report its database
up for ever after it went away; so ``run`` checks every ``interval_s`` seconds
on its own (a loop of the service, like the outbox relay), and ``/ready``
answers with a fresh check too. A check that does not answer within
``timeout_s`` counts as down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from services.common.metrics import ServiceMetrics

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool]]

DEFAULT_INTERVAL_S = 5.0
DEFAULT_TIMEOUT_S = 5.0


class Readiness:
    def __init__(self, checks: dict[str, ReadinessCheck], metrics: ServiceMetrics, *,
                 interval_s: float = DEFAULT_INTERVAL_S,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.checks = checks
        self.metrics = metrics
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._last: dict[str, bool] = {}

    async def check(self) -> dict[str, bool]:
        """Run every check at once; set the gauge; say which dependency is up."""
        results = await asyncio.gather(
            *(asyncio.wait_for(check(), self.timeout_s) for check in self.checks.values()),
            return_exceptions=True)
        state = {name: result is True for name, result in zip(self.checks, results)}
        for name, up in state.items():
            self.metrics.dependency_up.labels(name).set(1 if up else 0)
            if self._last.get(name, True) and not up:
                log.warning("%s is not reachable", name)
            elif self._last.get(name) is False and up:
                log.info("%s is reachable again", name)
        self._last = state
        return state

    async def run(self, stop: asyncio.Event) -> None:
        """Check every ``interval_s`` until ``stop``: a loop of the service."""
        while not stop.is_set():
            try:
                await self.check()
            except Exception:  # a broken check must not end the loop
                log.exception("readiness checks failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
