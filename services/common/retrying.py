"""Retrying, built on tenacity: until it works or the service stops, or a bounded
number of times.

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
from collections.abc import Awaitable, Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_incrementing,
)
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


async def within_attempts(call: Callable[[], Awaitable[object]], *, attempts: int,
                          delay_s: float,
                          on_failure: Callable[[BaseException, int], None] | None = None,
                          ) -> bool:
    """Try ``call`` up to ``attempts`` times, waiting ``delay_s`` × the attempt
    between tries; False once every try failed (the caller then dead-letters or
    gives up), never an exception. For work that must not hold a partition for
    ever: a consumer's handler and what it does for a dead letter.
    ``on_failure(exc, attempt)`` sees each failure, with its attempt number."""

    def before_sleep(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        if on_failure is not None and failure is not None:
            on_failure(failure, state.attempt_number)

    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(attempts, 1)),
        wait=wait_incrementing(start=delay_s, increment=delay_s),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                await call()
    except Exception as exc:  # noqa: BLE001 - any failure counts; the caller decides
        if on_failure is not None:
            on_failure(exc, max(attempts, 1))  # the last one, which tenacity does not pause after
        return False
    return True
