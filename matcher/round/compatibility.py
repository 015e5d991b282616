"""Which offers may serve which lines, and why a line has none.

Structural compatibility is category, area, weeks and tags, and the pair not
declined; the price rule depends on the tier and is applied in prepare.py.
For a line with no compatible offer the first filter that leaves nothing
names the reason, in this order (documented precedence):

1. no_provider_in_area: no offer of the category serves the municipality
   (declined offers do not count);
2. no_capacity_in_weeks: none of those runs in every week of the line;
3. tag_not_offered: none of those offers every required tag.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from schemas.result import UnmetReason
from schemas.snapshot import RoundSnapshot, SnapshotLine, SnapshotOffer


@dataclass(frozen=True)
class Blocked:
    """Why a line has no compatible offer, and the offer that came closest."""

    reason: UnmetReason
    offer: int | None = None  # index of the closest offer, where one exists
    missing: tuple[str, ...] = ()  # the weeks or tags that offer lacks


def compatible_offers(snapshot: RoundSnapshot) -> tuple[list[list[int]], dict[int, Blocked]]:
    """Per line, the offers (indices, snapshot order) it may go to; and blocked lines."""
    offers = snapshot.offers
    by_area: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, offer in enumerate(offers):
        for municipality in offer.municipalities:
            by_area[offer.category, municipality].append(j)
    declined: dict[str, set[str]] = defaultdict(set)
    for pair in snapshot.excluded:
        declined[pair.line_id].add(pair.offer_id)
    # Weeks and tags as bits (one per distinct value): "every week of the line is one
    # of the offer's" is then no bit of the line outside the offer's, per pair a few
    # integer operations instead of two sets (1.4 million pairs at 100k lines).
    week_bit = _bits(w for line in snapshot.demand_lines for w in line.weeks)
    tag_bit = _bits(t for line in snapshot.demand_lines for t in line.required_tags)
    weeks_not = [~_mask(offer.weeks, week_bit) for offer in offers]
    tags_not = [~_mask(offer.tags, tag_bit) for offer in offers]
    result: list[list[int]] = []
    blocked: dict[int, Blocked] = {}
    for i, line in enumerate(snapshot.demand_lines):
        area = by_area.get((line.category, line.municipality), [])
        if line.line_id in declined:
            no = declined[line.line_id]
            area = [j for j in area if offers[j].offer_id not in no]
        weeks = _mask(line.weeks, week_bit)
        timely = [j for j in area if not weeks & weeks_not[j]]
        tags = _mask(line.required_tags, tag_bit)
        fitting = [j for j in timely if not tags & tags_not[j]] if tags else timely
        result.append(fitting)
        if not fitting:
            blocked[i] = _why(line, offers, area, timely)
    return result, blocked


def _bits(values) -> dict[str, int]:
    return {v: 1 << n for n, v in enumerate(sorted(set(values)))}


def _mask(values, bit: dict[str, int]) -> int:
    # A value no line asks for has no bit: it cannot decide a pair.
    mask = 0
    for v in values:
        mask |= bit.get(v, 0)
    return mask


def _why(line: SnapshotLine, offers: list[SnapshotOffer], area: list[int],
         timely: list[int]) -> Blocked:
    if not area:
        return Blocked(UnmetReason.NO_PROVIDER_IN_AREA)
    if not timely:
        def lacking(j: int) -> tuple[str, ...]:
            return tuple(sorted(set(line.weeks) - set(offers[j].weeks)))
        best = min(area, key=lambda j: (len(lacking(j)), j))
        return Blocked(UnmetReason.NO_CAPACITY_IN_WEEKS, best, lacking(best))

    def absent(j: int) -> tuple[str, ...]:
        return tuple(sorted(set(line.required_tags) - set(offers[j].tags)))
    best = min(timely, key=lambda j: (len(absent(j)), j))
    return Blocked(UnmetReason.TAG_NOT_OFFERED, best, absent(best))
