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
    by_area: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, offer in enumerate(snapshot.offers):
        for municipality in offer.municipalities:
            by_area[offer.category, municipality].append(j)
    declined: dict[str, set[str]] = defaultdict(set)
    for pair in snapshot.excluded:
        declined[pair.line_id].add(pair.offer_id)
    result: list[list[int]] = []
    blocked: dict[int, Blocked] = {}
    for i, line in enumerate(snapshot.demand_lines):
        area = [j for j in by_area.get((line.category, line.municipality), [])
                if snapshot.offers[j].offer_id not in declined[line.line_id]]
        weeks = set(line.weeks)
        timely = [j for j in area if weeks <= set(snapshot.offers[j].weeks)]
        tags = set(line.required_tags)
        fitting = [j for j in timely if tags <= set(snapshot.offers[j].tags)]
        result.append(fitting)
        if not fitting:
            blocked[i] = _why(line, snapshot.offers, area, timely)
    return result, blocked


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
