"""A provider's award of a round: each offer's group contract (tier, price, weeks,
weekly load) and the firm lines it is to staff (where, what, which weeks)."""

from __future__ import annotations

from services.common.i18n import Texts, formats, words
from services.operator.adapters.exports import subjects
from services.operator.adapters.exports.document import Document
from services.operator.adapters.exports.statement import created_at, line_terms, place, round_line


def provider_award_pdf(t: Texts, detail: dict, provider_id: str) -> bytes:
    contract = subjects.provider(detail, provider_id)  # NotInRound before anything is drawn
    named = subjects.names(detail)
    doc = Document(t._("Award to {provider}", provider=named(provider_id)), t.language,
                   created_at(detail))
    doc.subtitle(round_line(t, detail))
    lines = [line for offer in contract["offers"] for line in offer["lines"]]
    doc.paragraph(t._("{answer}; {lines}, {volume}, total {cost}",
                      answer=answer(t, contract),
                      lines=t.ngettext("{n} firm line", "{n} firm lines", len(lines)),
                      volume=t.ngettext("{n} unit-week", "{n} unit-weeks",
                                        sum(line["unit_weeks"] for line in lines)),
                      cost=formats.money(t, sum(float(line["cost_eur"]) for line in lines))))
    for offer in contract["offers"]:
        doc.heading(named(offer["offer_id"]))
        doc.paragraph(t._("tier {tier} at {price} per unit-week",
                          tier=offer["tier_index"] + 1,
                          price=formats.money(t, offer["unit_price_eur"])))
        load = offer.get("weekly_load") or {}
        runs = [t._("{week}: {units}", week=formats.week(t, week),
                    units=t.ngettext("{n} unit", "{n} units", load.get(week, 0)))
                for week in offer.get("running_weeks", [])]
        doc.paragraph(t._("runs in {weeks}", weeks="; ".join(runs)))
        doc.space()
        for line in offer["lines"]:
            doc.paragraph(named(line["firm_id"]), bold=True)
            doc.paragraph(line_terms(t, line), indent=4)
            if place(t, line):
                doc.paragraph(place(t, line), indent=4)
            doc.space()
    return doc.bytes()


def answer(t: Texts, contract: dict) -> str:
    if contract.get("response"):
        return words.response(t, contract["response"])
    return t._("awaiting an answer") if contract.get("awarded") else t._("not awarded")
