"""Smallest changes for the reasons that need a little arithmetic."""

from __future__ import annotations

from matcher.model.prepare import PRICE, Prepared
from matcher.round.from_snapshot import RoundIndex
from schemas.result import SmallestChange, UnmetReason


def blocked_change(idx: RoundIndex, i: int) -> SmallestChange | None:
    blocked = idx.blocked[i]
    if blocked.offer is None:
        return None
    offer_id = idx.snapshot.offers[blocked.offer].offer_id
    if blocked.reason is UnmetReason.NO_CAPACITY_IN_WEEKS:
        return SmallestChange(
            description=f"offer {offer_id} would also have to run in {', '.join(blocked.missing)}",
            offer_id=offer_id, week=blocked.missing[0])
    return SmallestChange(
        description=f"offer {offer_id} would have to offer {', '.join(blocked.missing)}",
        offer_id=offer_id)


class Joins:
    """Units that could join an offer in a week, counted once per (offer, week).

    Before the solve (``pending`` None: a pair dropped because the group could
    never form) that is every unit of every line whose pair was not priced
    out; after it, the unserved units of the lines with a usable pair.
    """

    def __init__(self, idx: RoundIndex, prep: Prepared, pending: list[int]) -> None:
        self.data, self.prep, self.pending = idx.problem, prep, pending
        self.of_offer: dict[int, list[int]] = {}
        for k, pair in enumerate(self.data.pairs):
            self.of_offer.setdefault(pair.offer, []).append(k)
        # Per (offer, after): units per week, every week of the offer counted in one pass
        # over its pairs (per (offer, week) that pass was repeated for each week, and
        # lines of a whole year have 52: seconds at 1k lines).
        self.memo: dict[tuple[int, bool], dict[int, int]] = {}

    def count(self, o: int, w: int, after: bool) -> int:
        weeks = self.memo.get((o, after))
        if weeks is None:
            weeks = self.memo[o, after] = {}
            for k in self.of_offer.get(o, []):
                pair = self.data.pairs[k]
                line = self.data.lines[pair.line]
                if not after and self.prep.dropped.get(k) != PRICE:
                    units = line.units
                elif after and self.prep.usable[k]:
                    units = self.pending[pair.line]
                else:
                    continue
                for week in line.weeks:
                    weeks[week] = weeks.get(week, 0) + units
        return weeks.get(w, 0)


def group_change(idx: RoundIndex, joins: Joins, i: int, pairs: list[int],
                 loads: dict[tuple[int, int], int] | None = None) -> SmallestChange:
    """How many more units, in which week, open which offer (the least over ``pairs``):
    before the solve (``loads`` None) or after it, in the weeks the offer is closed."""
    data = idx.problem
    best = None
    for k in pairs:
        o = data.pairs[k].offer
        group = data.offers[o].min_group
        weeks = [w for w in data.lines[i].weeks
                 if loads is None or loads.get((o, w), 0) == 0]
        shorts = [(group - joins.count(o, w, loads is not None), w) for w in weeks]
        short, w = max(shorts, key=lambda sw: (sw[0], -sw[1]))
        option = (short, idx.snapshot.offers[o].offer_id, idx.weeks[w])
        if best is None or option < best:
            best = option
    short, offer_id, week = best
    if short <= 0:
        return SmallestChange(
            description=f"offer {offer_id} does not run in {week}: enough units ask for it "
                        f"that week, but not in every week they need",
            offer_id=offer_id, week=week)
    return SmallestChange(description=f"{short} more units in week {week} open offer {offer_id}",
                          offer_id=offer_id, week=week, extra_units=short)
