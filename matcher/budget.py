"""``TimeBudget``: the time a solve has, owned by the solve and handed down.

Shares of the limit used to be computed from ``time.perf_counter()`` and a
deadline in each module; a budget says once what "the time left" and "a share
of it" mean, never gives a share beyond what is left, and takes its clock as a
parameter so that tests can run it on a fake one. A part that finishes early
leaves its deadline unspent, and the next share is taken from what is then left:
that is how time is handed back.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]


class TimeBudget:
    def __init__(self, seconds: float, clock: Clock = time.perf_counter,
                 start: float | None = None) -> None:
        """``seconds`` from ``start`` (default: now, on ``clock``)."""
        self.clock = clock
        self.deadline = (clock() if start is None else start) + max(seconds, 0.0)

    @classmethod
    def until(cls, deadline: float, clock: Clock = time.perf_counter) -> TimeBudget:
        """The budget that ends at ``deadline`` (a time on ``clock``)."""
        return cls(0.0, clock, start=deadline)

    def remaining(self) -> float:
        return max(self.deadline - self.clock(), 0.0)

    def expired(self, margin: float = 0.0) -> bool:
        return self.remaining() <= margin

    def share(self, fraction: float) -> float:
        """Seconds: ``fraction`` (clamped to [0, 1]) of what is left now."""
        return min(max(fraction, 0.0), 1.0) * self.remaining()

    def part(self, fraction: float) -> TimeBudget:
        """A budget for a piece of the work: ``share(fraction)`` from now, on the same
        clock, so never past this budget's deadline."""
        return TimeBudget(self.share(fraction), self.clock)
