"""When this process started, on ``time.perf_counter``'s clock.

A command with a time limit (``welfare solve --time-limit``) promises to be done
that long after the operator pressed enter, not after Python has imported
everything: at 100 lines the start-up alone was once longer than a 2 s limit.
Linux says in ``/proc/self/stat`` (field 22, ``starttime``) when the process
started, in clock ticks since boot; ``CLOCK_BOOTTIME`` says how long ago boot
was, so the process's age is their difference, and its start is that long
before now on any clock. The tick is 10 ms: the start comes out up to 10 ms late.
Elsewhere (no /proc) the caller falls back to the time it was entered.
"""

from __future__ import annotations

import os
import time

# A start further back than this is not believed (a clock that jumped, a /proc
# from another namespace): the caller falls back to its own entry time.
OLDEST_S = 600.0


def process_age(stat_path: str = "/proc/self/stat") -> float | None:
    """Seconds since this process started, or None where that cannot be read."""
    try:
        with open(stat_path, encoding="ascii") as stat:
            text = stat.read()
        # Field 2 (the command name) is in parentheses and may hold spaces: split after it.
        ticks = int(text.rsplit(")", 1)[1].split()[19])  # field 22, counting from field 3
        booted = time.clock_gettime(time.CLOCK_BOOTTIME)
        age = booted - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return age if 0.0 <= age <= OLDEST_S else None


def process_start(clock=time.perf_counter) -> float | None:
    """This process's start on ``clock`` (default ``perf_counter``), or None."""
    age = process_age()
    return None if age is None else clock() - age
