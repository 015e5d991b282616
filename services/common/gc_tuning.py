"""The cyclic garbage collector, set for a consumer that holds whole batches in memory.

A fetched batch of 2,000 decoded events is some 30,000 objects alive at once.
With Python's default thresholds (a young collection every 700 allocations net
of frees) the collector ran about 1,150 times while the matcher applied 50,000
events and took a quarter to a third of the time: every batch outlived a few
young collections, was promoted to the older generations, and their
collections walk the whole heap (the service's modules, the solver's, the web
stack's). With the young threshold above a batch's size, a batch is freed by
reference counting before a collection sees it: a handful of collections for
the same events (BENCHMARKS.md, the matcher's ingestion).

Only cyclic garbage waits longer for its collection, and at most some tens of
thousands of objects of it: objects without cycles are freed at once, as ever.
"""

from __future__ import annotations

import gc

# Young-generation allocations (net of frees) between collections: above a batch's objects.
YOUNG_THRESHOLD = 50_000


def collect_less_often(young: int = YOUNG_THRESHOLD) -> None:
    """Raise the young generation's threshold to ``young`` (never lower it);
    the older generations keep theirs. Process-wide, like the collector."""
    threshold, older, oldest = gc.get_threshold()
    if threshold < young:
        gc.set_threshold(young, older, oldest)
