"""A round against the network's last committed round: who gains coverage, who loses it.

Pure functions over two round details as the operator API answers them (their
``firms``: coverage per firm; their ``coverage``: of the whole network), so the
report says in a sentence, then firm by firm, what this round would change
against what the providers and firms hold now. Only committed, completed rounds
are compared with: a dry run awards nothing, so it is nothing anyone holds.

A firm's coverage "changes" when the shown figures (one decimal of a percent)
differ: a difference the page cannot show is not called a gain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.common.i18n import Names, Texts, formats
from services.console.texts import say, say_n

GAIN, LOSS, NEW, ABSENT = "gain", "loss", "new", "absent"


@dataclass
class Comparison:
    previous_id: str | None  # None: no committed round before this one
    sentence: str
    rows: list[dict] = field(default_factory=list)  # the firms that change, gains first


def _when(round_: dict) -> dt.datetime | None:
    """When a round finished; one not finished counts from its request."""
    shown = round_.get("finished_at") or round_.get("requested_at")
    if not shown:
        return None
    when = dt.datetime.fromisoformat(shown)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def previous_committed(listed: list[dict], detail: dict) -> str | None:
    """The id of the network's last committed, completed round before ``detail``.

    "Before" is by finish time (a round's request time while it has none): a
    dry run is compared with what was committed when it was solved, an older
    committed round with the one it replaced, never with a later one.
    """
    this = _when(detail)
    earlier = [(when, r["round_id"]) for r in listed
               if r.get("round_id") != detail.get("round_id")
               and r.get("network_id") == detail.get("network_id")
               and not r.get("dry_run") and r.get("status") == "completed"
               and (when := _when(r)) is not None and (this is None or when < this)]
    return max(earlier)[1] if earlier else None


def _tenths(share: float | None) -> int:
    """A coverage as the page shows it: in tenths of a percent."""
    return round((share or 0.0) * 1000)


def _points(t: Texts, tenths: int) -> str:
    """"+7,0 punti" / "−2,5 points": the difference in percentage points, signed."""
    from babel.numbers import format_decimal
    shown = format_decimal(tenths / 10, "+#,##0.0;-#,##0.0", locale=t.locale)
    return say(t, "{points} points", points=shown)


def compare(t: Texts, detail: dict, previous: dict | None, names: Names) -> Comparison:
    if previous is None:
        return Comparison(None, say(
            t, "No round of this network was committed before this one: there is nothing "
               "to compare it with."))
    before = {f["firm_id"]: f for f in previous.get("firms") or []}
    after = {f["firm_id"]: f for f in detail.get("firms") or []}
    named = Names(names.names,
                  {i: f["firm_name"] for i, f in before.items() if f.get("firm_name")},
                  {i: f["firm_name"] for i, f in after.items() if f.get("firm_name")})
    gains, losses, new, absent = [], [], [], []
    unchanged = 0
    for firm_id in sorted(set(before) | set(after)):
        old, now = before.get(firm_id), after.get(firm_id)
        row = {"firm_id": firm_id, "firm": named(firm_id),
               "before": formats.percent(t, old["coverage"]) if old else formats.MISSING,
               "after": formats.percent(t, now["coverage"]) if now else formats.MISSING}
        if old is None:
            new.append({**row, "kind": NEW, "difference": say(t, "new in this round")})
            continue
        if now is None:
            absent.append({**row, "kind": ABSENT, "difference": say(t, "not in this round")})
            continue
        moved = _tenths(now["coverage"]) - _tenths(old["coverage"])
        if moved == 0:
            unchanged += 1
            continue
        (gains if moved > 0 else losses).append(
            {**row, "kind": GAIN if moved > 0 else LOSS, "moved": moved,
             "difference": _points(t, moved)})
    gains.sort(key=lambda r: (-r["moved"], r["firm"]))
    losses.sort(key=lambda r: (r["moved"], r["firm"]))
    new.sort(key=lambda r: r["firm"])
    absent.sort(key=lambda r: r["firm"])
    parts = [say_n(t, "{n} firm gains coverage", "{n} firms gain coverage", len(gains)),
             say_n(t, "{n} loses some", "{n} lose some", len(losses)),
             say_n(t, "{n} unchanged", "{n} unchanged", unchanged)]
    if new:
        parts.append(say_n(t, "{n} new in this round", "{n} new in this round", len(new)))
    if absent:
        parts.append(say_n(t, "{n} no longer in it", "{n} no longer in it", len(absent)))
    sentence = say(t, "Compared with the committed round {round}: {changes}; overall coverage "
                      "from {before} to {after}.",
                   round=previous["round_id"], changes=", ".join(parts),
                   before=formats.percent(t, previous.get("coverage")),
                   after=formats.percent(t, detail.get("coverage")))
    return Comparison(previous["round_id"], sentence, gains + losses + new + absent)
