"""A firm's outcome of the latest committed round: per line, served or why not.

The operator API answers it to the firm's own token (and to operators), from
the matcher's round detail cut to the firm's lines; here it becomes the rows a
person reads: amounts in the locale, weeks with their dates, reasons and the
smallest change as sentences.
"""

from __future__ import annotations

from services.common.i18n import Names, Texts, formats, words
from services.console.apis import ApiRefused, Apis


async def firm_outcome(t: Texts, apis: Apis, profile: dict, demand: dict) -> dict:
    """``{"round": None}`` until a committed round has the firm; else its rows per line."""
    firm_id = profile["firm"]["firm_id"]
    try:
        outcome = await apis.firm_outcome(firm_id)
    except ApiRefused as exc:
        if exc.status == 404:
            return {"round": None, "lines": []}
        raise
    named = Names({firm_id: outcome.get("firm_name") or profile["firm"]["name"]})
    asked = {entry["line"]["line_id"]: entry["line"] for entry in demand.get("lines", [])}
    lines = []
    for line in outcome["lines"]:
        now = asked.get(line["line_id"], {})  # the line as intake holds it today
        category = line.get("category") or now.get("category")
        municipality = line.get("municipality") or now.get("municipality")
        rows = [{"provider": served.get("provider_name") or served["provider_id"],
                 "weeks": _weeks(t, served["weeks"]),
                 "units": formats.number(t, served["units"]),
                 "price": formats.money(t, served["unit_price_eur"]),
                 "cost": formats.money(t, served["cost_eur"])}
                for served in line["served"]]
        unserved = line.get("unserved")
        lines.append({
            "line": line["line_id"],
            "category": words.category(t, category) if category else formats.MISSING,
            "municipality": municipality,
            "weeks": _weeks(t, line.get("weeks") or now.get("weeks") or []),
            "served": rows,
            "unserved": None if unserved is None else {
                "units": formats.number(t, unserved["units"]),
                "reason": words.reason(t, unserved["reason"]),
                "change": words.change(t, unserved["reason"], unserved.get("change"),
                                       unserved["units"], firm_id, named)}})
    spend, budget = outcome.get("spend_eur"), outcome.get("budget_eur")
    return {"round": {"round_id": outcome["round_id"],
                      "weeks": formats.week_range(t, outcome["first_week"],
                                                  outcome["last_week"])},
            "spend": formats.money(t, spend) if spend is not None else formats.MISSING,
            "budget": formats.money(t, budget if budget is not None
                                    else profile["firm"]["welfare_budget_eur"]),
            "lines": lines}


def _weeks(t: Texts, weeks: list[str]) -> str:
    return formats.week_range(t, weeks[0], weeks[-1]) if weeks else formats.MISSING
