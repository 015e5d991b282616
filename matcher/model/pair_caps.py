"""What each usable pair can carry at most, for the ceilings computed without a model.

Both ceilings (ceiling.py, counted; flow_ceiling.py, the flow LP) relax a part to its
pairs and need the same figure per pair: at most the line's units, at most the
offer's capacity, and for a line that pays its firm's budget at most the whole units
the firm's whole budget buys at the pair's cheapest allowed tier. It is kept here,
once, so that the two bounds cannot come to disagree on it.

Done on arrays in one pass: at 100k lines a part holds about a million pairs, and the
per-pair loops it replaces were a large share of both ceilings' time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from matcher.model.prepare import Prepared


@dataclass(frozen=True)
class PairCaps:
    """One row per usable pair of a line the ceilings count (lines that must be served
    are not counted) that has a tier the line may be charged (a pin priced out has none:
    no plan serves it). Rows come line by line, each line's in ``prep.line_pairs`` order."""

    line: np.ndarray  # int64: the pair's line
    pair: np.ndarray  # int64: the pair's index in data.pairs
    cost: np.ndarray  # float64: one unit for all the line's weeks at the cheapest tier
    top: np.ndarray  # int64: units the pair can carry at most (may be 0)
    pays: np.ndarray  # bool: the line pays its firm's budget and the unit costs something


def pair_caps(prep: Prepared, budgets: Sequence[float]) -> PairCaps:
    """Each counted pair's cheapest cost and the units it can carry, ``budgets`` per firm
    (the whole ones for a part whose budgets are shares of a split)."""
    data = prep.data
    lines, pairs, offers = data.lines, data.pairs, data.offers
    line_pairs, pair_tiers = prep.line_pairs, prep.pair_tiers
    ks = [k for i, line in enumerate(lines) if not line.must_serve
          for k in line_pairs[i] if pair_tiers[k]]
    n = len(ks)
    pair = np.array(ks, dtype=np.int64)
    line_of = np.fromiter((pairs[k].line for k in ks), np.int64, n)
    offer_of = np.fromiter((pairs[k].offer for k in ks), np.int64, n)
    extra = np.fromiter((pairs[k].extra_cost for k in ks), np.float64, n)
    # The cheapest allowed tier: every allowed tier's unit price (tier + the pair's extra,
    # as Prepared.unit_price adds them), then the least per pair.
    tiers = [pair_tiers[k] for k in ks]
    counts = np.fromiter(map(len, tiers), np.int64, n)
    flat = np.fromiter(chain.from_iterable(tiers), np.int64, int(counts.sum()))
    most_tiers = max((len(o.tiers) for o in offers), default=1)
    tier_price = np.full((len(offers), most_tiers), np.inf)
    for o, offer in enumerate(offers):
        tier_price[o, :len(offer.tiers)] = [t.price for t in offer.tiers]
    each = tier_price[np.repeat(offer_of, counts), flat] + np.repeat(extra, counts)
    first = np.cumsum(counts) - counts
    cheapest = np.minimum.reduceat(each, first) if n else each
    weeks = np.fromiter((len(line.weeks) for line in lines), np.float64, len(lines))
    cost = cheapest * weeks[line_of]
    units = np.fromiter((line.units for line in lines), np.int64, len(lines))
    capacity = np.fromiter((o.capacity for o in offers), np.int64, len(offers))
    top = np.minimum(units[line_of], capacity[offer_of])
    paying = np.fromiter((line.pays_budget for line in lines), bool, len(lines))
    pays = paying[line_of] & (cost > 0)
    if pays.any():
        firm = np.fromiter((line.firm for line in lines), np.int64, len(lines))
        whole = np.array(budgets, dtype=np.float64)[firm[line_of[pays]]]
        buys = whole / cost[pays] + 1e-9  # (the tolerance: a budget of exactly n units)
        # int() of it where it is below the other caps; compared first, so that a huge
        # quotient (a unit of almost nothing) never becomes an integer.
        top_pays = top[pays]
        low = buys < top_pays
        top_pays[low] = np.trunc(buys[low]).astype(np.int64)
        top[pays] = top_pays
    return PairCaps(line=line_of, pair=pair, cost=cost, top=top, pays=pays)
