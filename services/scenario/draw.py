"""Weighted draws, the hot path of a 100,000-line scenario."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def pick(rng: random.Random, items: Sequence[T], cum_weights: Sequence[float]) -> T:
    """``rng.choices(items, cum_weights=cum_weights)[0]`` without building a list.

    It consumes the random stream exactly as ``choices`` does, so swapping one
    for the other changes no scenario.
    """
    point = rng.random() * (cum_weights[-1] + 0.0)
    return items[bisect.bisect(cum_weights, point, 0, len(items) - 1)]
