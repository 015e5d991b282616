"""One retry policy for the loops that wait on Kafka (services/common/retrying.py)."""

from __future__ import annotations

import asyncio

import pytest
from tenacity import wait_fixed

from services.common.retrying import Stopped, until_stopped, within_attempts


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


async def test_within_attempts_tries_a_bounded_number_of_times_and_says_each_failure():
    calls, seen = [], []

    async def always_failing() -> None:
        calls.append(1)
        raise ConnectionError(f"try {len(calls)}")

    assert await within_attempts(always_failing, attempts=3, delay_s=0.001,
                                 on_failure=lambda exc, n: seen.append((str(exc), n))) is False
    assert len(calls) == 3
    assert seen == [("try 1", 1), ("try 2", 2), ("try 3", 3)]

    async def second_time_lucky() -> None:
        calls.append(1)
        if len(calls) == 4:
            raise ConnectionError("once")

    assert await within_attempts(second_time_lucky, attempts=3, delay_s=0.001) is True
    assert len(calls) == 5
