"""``TimeBudget``: the time a solve has, owned by the solve and handed down.

Shares of the limit used to be computed from ``time.perf_counter()`` and a
deadline in each module; a budget says once what "the time left" and "a share
of it" mean, never gives a share beyond what is left, and takes its clock as a
parameter so that tests can run it on a fake one. A part that finishes early
leaves its deadline unspent, and the next share is taken from what is then left:
that is how time is handed back.

One budget is made where the solve starts (``solve_round``, ``solve``, or the
``welfare solve`` command, which counts from the process's own start) and every
stage that spends time gets it, or a piece of it: no module computes a deadline
of its own from the raw limit. The work after the search (merging the parts,
the result, the reasons, writing the file) is set aside up front with
``before``: the search gets a budget that ends that much earlier.

The default clock is ``time.perf_counter``, which on Linux is CLOCK_MONOTONIC:
the same clock in every process, so a deadline can cross to a worker as a float.
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
        self.start = clock() if start is None else start
        self.deadline = self.start + max(seconds, 0.0)

    @classmethod
    def until(cls, deadline: float, clock: Clock = time.perf_counter) -> TimeBudget:
        """The budget that ends at ``deadline`` (a time on ``clock``)."""
        return cls(0.0, clock, start=deadline)

    @classmethod
    def of(cls, limit: float | TimeBudget, clock: Clock = time.perf_counter) -> TimeBudget:
        """``limit`` itself if it is a budget, else a budget of ``limit`` seconds from now
        (for callers that hand a solver call plain seconds)."""
        return limit if isinstance(limit, TimeBudget) else cls(limit, clock)

    def remaining(self) -> float:
        return max(self.deadline - self.clock(), 0.0)

    def elapsed(self) -> float:
        return self.clock() - self.start

    def expired(self, margin: float = 0.0) -> bool:
        return self.remaining() <= margin

    def share(self, fraction: float) -> float:
        """Seconds: ``fraction`` (clamped to [0, 1]) of what is left now."""
        return min(max(fraction, 0.0), 1.0) * self.remaining()

    def cap(self, seconds: float) -> float:
        """``seconds``, but never more than is left."""
        return min(max(seconds, 0.0), self.remaining())

    def part(self, fraction: float) -> TimeBudget:
        """A budget for a piece of the work: ``share(fraction)`` from now, on the same
        clock, so never past this budget's deadline."""
        return TimeBudget(self.share(fraction), self.clock)

    def within(self, seconds: float) -> TimeBudget:
        """A budget of ``cap(seconds)`` from now: a stage's share, ending by this deadline."""
        return TimeBudget(self.cap(seconds), self.clock)

    def before(self, reserve: float) -> TimeBudget:
        """The budget that ends ``reserve`` seconds before this one (not before now):
        what the search may use when ``reserve`` is needed after it."""
        deadline = max(self.deadline - max(reserve, 0.0), min(self.clock(), self.deadline))
        budget = TimeBudget.until(deadline, self.clock)
        budget.start = self.start
        return budget
