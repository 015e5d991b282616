"""One retry policy for the loops that wait on Kafka (services/common/retrying.py)."""

from __future__ import annotations

import asyncio

import pytest
from tenacity import wait_fixed

from services.common.retrying import Stopped, until_stopped


class Refused(Exception):
    pass


async def test_it_tries_again_until_the_call_works_and_returns_its_value():
    calls, failures = [], []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("away")
        return "up"

    async for attempt in until_stopped(asyncio.Event(), wait=wait_fixed(0.01), what="t",
                                       on_failure=failures.append):
        with attempt:
            result = await flaky()
    assert (result, len(calls)) == ("up", 3)
    assert [type(f) for f in failures] == [ConnectionError, ConnectionError]


async def test_a_final_failure_is_raised_at_once():
    calls = []
    with pytest.raises(Refused):
        async for attempt in until_stopped(asyncio.Event(), wait=wait_fixed(0.01), what="t",
                                           final=(Refused,)):
            with attempt:
                calls.append(1)
                raise Refused
    assert len(calls) == 1


async def test_stopping_wakes_the_pause_and_ends_the_tries():
    stop = asyncio.Event()
    calls = []

    async def keep_failing() -> None:
        async for attempt in until_stopped(stop, wait=wait_fixed(3600), what="t"):
            with attempt:
                calls.append(1)
                raise ConnectionError("away")

    task = asyncio.create_task(keep_failing())
    await asyncio.sleep(0.05)
    stop.set()
    with pytest.raises(Stopped):
        await asyncio.wait_for(task, 5)  # not an hour: the pause woke when told to stop
    assert len(calls) == 1
