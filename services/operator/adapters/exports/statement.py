"""A firm's statement of a round: what it gets, at what price, why the rest is not
served, and the smallest change that would serve it (DESIGN.md, "Awards,
amendments and answers")."""

from __future__ import annotations

import datetime as dt

from services.common.i18n import Texts, formats, words
from services.operator.adapters.exports import subjects
from services.operator.adapters.exports.contracts import week_runs
from services.operator.adapters.exports.document import Document


def firm_statement_pdf(t: Texts, detail: dict, firm_id: str) -> bytes:
    firm = subjects.firm(detail, firm_id)  # NotInRound before anything is drawn
    named = subjects.names(detail)
    doc = Document(t._("Statement for {firm}", firm=named(firm_id)), t.language,
                   created_at(detail))
    doc.subtitle(round_line(t, detail))
    if firm.get("budget_eur") is not None:
        doc.paragraph(t._("served {served} of the {demanded} unit-weeks asked for ({share}); "
                          "cost {cost} of a budget of {budget}",
                          served=formats.number(t, firm["served_unit_weeks"]),
                          demanded=formats.number(t, firm["demanded_unit_weeks"]),
                          share=formats.percent(t, firm["coverage"]),
                          cost=formats.money(t, firm["cost_eur"]),
                          budget=formats.money(t, firm["budget_eur"])))

    doc.heading(t._("What you get"))
    served = [(c, o, line) for c, o, line in subjects.served_lines(detail)
              if line["firm_id"] == firm_id]
    if not served:
        doc.paragraph(t._("nothing in this round"))
    for contract, offer, line in served:
        doc.paragraph(t._("{offer} of {provider}", offer=named(offer["offer_id"]),
                          provider=named(contract["provider_id"])), bold=True)
        doc.paragraph(line_terms(t, line), indent=4)
        if place(t, line):
            doc.paragraph(place(t, line), indent=4)
        doc.space()

    doc.heading(t._("What is not served, and why"))
    unmet = [(g, line) for g, line in subjects.unmet_lines(detail) if line["firm_id"] == firm_id]
    if not unmet:
        doc.paragraph(t._("all that was asked for is served"))
    for group, line in unmet:
        doc.paragraph(t.ngettext("{n} unit", "{n} units", line["units"]) + ": "
                      + words.reason(t, group["reason"]), bold=True)
        change = words.change(t, group["reason"], line.get("change"), line["units"],
                              firm_id, named)
        doc.paragraph(t._("smallest change: {change}", change=change) if change
                      else t._("no single change would serve them"), indent=4)
        doc.space()
    return doc.bytes()


def round_line(t: Texts, detail: dict) -> str:
    text = t._("round {round} ({kind}), network {network}", round=detail["round_id"],
               kind=words.round_kind(t, bool(detail.get("dry_run")), detail.get("kind")),
               network=detail.get("network_id", formats.MISSING))
    if detail.get("first_week") and detail.get("last_week"):
        text += "; " + formats.week_range(t, detail["first_week"], detail["last_week"])
    return text


def line_terms(t: Texts, line: dict) -> str:
    return t._("{units}, weeks {weeks}, at {price} per unit-week: {cost}",
               units=t.ngettext("{n} unit", "{n} units", line["units"]),
               weeks=week_runs(line["weeks"]),
               price=formats.money(t, line["unit_price_eur"]),
               cost=formats.money(t, line["cost_eur"]))


def place(t: Texts, line: dict) -> str | None:
    """What and where, as the round's snapshot knew them; None when it knew neither."""
    if not (line.get("category") or line.get("municipality")):
        return None
    category = words.category(t, line["category"]) if line.get("category") else formats.MISSING
    where = line.get("municipality_name") or line.get("municipality") or formats.MISSING
    text = t._("{category} in {municipality}", category=category, municipality=where)
    if line.get("required_tags"):
        text += "; " + t._("needs: {tags}", tags=", ".join(line["required_tags"]))
    return text


def created_at(detail: dict) -> dt.datetime | None:
    value = detail.get("finished_at") or detail.get("requested_at")
    return dt.datetime.fromisoformat(value) if value else None
