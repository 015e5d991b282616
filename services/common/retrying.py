"""Retrying until it works or the service stops: one policy, built on tenacity.

A service keeps trying what depends on Kafka or the database (connecting at
start-up, relaying the outbox) for as long as it runs: giving up would leave it
up but useless. What differs between callers is only the wait between tries,
what counts as final, and what a failure is counted as; the rest (waking at
once when the service stops, one log line per failure with the next wait) is
here, so that every loop behaves the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_not_exception_type
from tenacity.wait import wait_base

log = logging.getLogger(__name__)


class Stopped(Exception):
    """Raised out of the tries when the service stopped during a pause."""


def until_stopped(stop: asyncio.Event, *, wait: wait_base, what: str,
                  final: tuple[type[BaseException], ...] = (),
                  on_failure: Callable[[BaseException], None] | None = None) -> AsyncRetrying:
    """Tries of one call, ``async for attempt in until_stopped(...): with attempt: ...``.

    Stops trying when ``stop`` is set: with the last failure, or ``Stopped``
    if it was set during a pause (no try after it); the caller returns quietly
    then. Stops at once on an exception of a ``final`` type.
    """

    async def sleep(seconds: float) -> None:  # wakes as soon as the service stops
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        if stop.is_set():
            raise Stopped

    def before_sleep(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        if on_failure is not None and failure is not None:
            on_failure(failure)
        pause = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s failed, retrying in %.1fs: %s", what, pause, failure)

    return AsyncRetrying(
        wait=wait,
        stop=lambda _state: stop.is_set(),
        retry=retry_if_not_exception_type(final),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
