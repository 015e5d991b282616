"""A provider's awards as the page shows them, and its answers to them.

The awards come from the operator API (which reads the matcher's, to the
provider's own token); an answer goes to supply, which publishes the same
``ContractAccepted``/``ContractDeclined`` a provider's own system would. The
status, and whether buttons are shown, is the matcher's: a superseded or
withdrawn award would be refused, so it has none.
"""

from __future__ import annotations

import datetime as dt

from services.common.i18n import Texts, formats, words
from services.console.texts import L_, say

STATUS = {
    "awaiting": L_("awaiting your answer"),
    "amended": L_("amended by a repair round: it needs a new answer"),
    "accepted": L_("accepted"),
    "declined": L_("declined"),
    "superseded": L_("superseded: a later committed round replaced it"),
    "withdrawn": L_("withdrawn: the latest committed round gives you no contract"),
}

# The reason codes supply accepts (services/supply/domain/answers.py), in words.
DECLINE_REASONS = {
    "no_staff": L_("not enough staff in those weeks"),
    "weeks": L_("the weeks cannot be covered"),
    "places": L_("a municipality cannot be reached"),
    "price": L_("the price does not cover the cost"),
    "group_too_small": L_("too few units to run a group"),
    "other": L_("another reason (say it in the note)"),
}


def reason_words(t: Texts, reason: str | None) -> str:
    """``no_staff: note`` as the event carries it, in words: the code's sentence, then the note."""
    if not reason:
        return say(t, "no reason given")
    code, _, note = reason.partition(": ")
    if code in DECLINE_REASONS:
        said = t._(DECLINE_REASONS[code])
        return f"{said} ({note})" if note else said
    return reason  # written by a provider's own system: its own words


def award_rows(t: Texts, awards: list[dict]) -> list[dict]:
    """Each award: heading figures, status in words, and its lines formatted."""
    shown = []
    for award in awards:
        lines = []
        for offer in award["offers"]:
            for line in offer["lines"]:
                code = line.get("municipality")
                lines.append({
                    "offer": offer["offer_id"],
                    "firm": (f"{line['firm_name']} ({line['firm_id']})" if line.get("firm_name")
                             else line["firm_id"]),
                    "line": line["line_id"],
                    "municipality": (f"{line['municipality_name']} ({code})"
                                     if line.get("municipality_name") else code
                                     or formats.MISSING),
                    "category": (words.category(t, line["category"]) if line.get("category")
                                 else formats.MISSING),
                    "tags": ", ".join(words.tag(t, tag) for tag in line.get("required_tags") or [])
                            or formats.MISSING,
                    "weeks": _weeks(t, line["weeks"]),
                    "units": formats.number(t, line["units"]),
                    "price": formats.money(t, line["unit_price_eur"]),
                    "cost": formats.money(t, line["cost_eur"]),
                })
        status = award["status"]
        shown.append({
            "contract_id": award["contract_id"], "round_id": award["round_id"],
            "status": status, "status_words": t._(STATUS.get(status, status)),
            "answerable": award["answerable"],
            "answer_contract_id": award["answer_contract_id"],
            "answer_round_id": award["answer_round_id"],
            "next_version": award["next_version"],
            "reason": reason_words(t, award.get("reason")) if status == "declined" else None,
            # What the provider had answered to an award a later round replaced or dropped.
            "had": (None if status not in ("superseded", "withdrawn") or not award.get("response")
                    else say(t, "you had accepted it") if award["response"] == "accepted"
                    else say(t, "you had declined it: {reason}",
                             reason=reason_words(t, award.get("reason")))),
            "committed_at": _day(t, award.get("committed_at")),
            "replaced_by": award.get("replaced_by_round_id"),
            "cost": formats.money(t, award["cost_eur"]),
            "lines": lines,
        })
    return shown


def _weeks(t: Texts, weeks: list[str]) -> str:
    return formats.week_range(t, weeks[0], weeks[-1]) if weeks else formats.MISSING


def _day(t: Texts, stamp: str | None) -> str:
    if not stamp:
        return formats.MISSING
    return formats.date(t, dt.datetime.fromisoformat(stamp).date())
