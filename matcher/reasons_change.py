"""Smallest changes for the reasons that need a little arithmetic."""

from __future__ import annotations

from matcher.from_snapshot import RoundIndex
from matcher.prepare import PRICE, Prepared
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


def group_change(idx: RoundIndex, prep: Prepared, offer_pairs: dict[int, list[int]], i: int,
                 pairs: list[int], loads: dict[tuple[int, int], int] | None = None,
                 pending: list[int] | None = None) -> SmallestChange:
    """How many more units, in which week, open which offer (the least over ``pairs``).

    The units that could join are those of every line that may use the offer
    in that week: all of them before the solve (``loads`` None, a pair dropped
    because the group could never form), or their unserved units after it.
    """
    data = idx.problem
    best = None
    for k in pairs:
        o = data.pairs[k].offer
        group = data.offers[o].min_group
        weeks = [w for w in data.lines[i].weeks
                 if loads is None or loads.get((o, w), 0) == 0]
        shorts = [(group - _could_join(data, prep, offer_pairs[o], w, pending), w)
                  for w in weeks]
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


def _could_join(data, prep: Prepared, pairs: list[int], w: int,
                pending: list[int] | None) -> int:
    total = 0
    for k in pairs:
        pair = data.pairs[k]
        if w not in data.lines[pair.line].weeks:
            continue
        if pending is None and prep.dropped.get(k) != PRICE:
            total += data.lines[pair.line].units
        elif pending is not None and prep.usable[k]:
            total += pending[pair.line]
    return total
