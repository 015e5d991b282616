"""A firm's outcome of the latest committed round: per line, served or why not.

The operator API answers rounds to operators only today, so with a firm's token
this reads ``None`` (the page says the outcome is not published to firms yet).
When the API serves a firm its own rounds, the same code shows them.
"""

from __future__ import annotations

from services.common.i18n import Names, Texts, formats, words
from services.console.apis import ApiRefused, Apis


async def firm_outcome(t: Texts, apis: Apis, profile: dict, demand: dict) -> dict | None:
    firm_id = profile["firm"]["firm_id"]
    try:
        rounds = await apis.rounds(profile["network_id"])
    except ApiRefused as exc:
        if exc.status in (403, 404):
            return None
        raise
    committed = [r for r in rounds if not r["dry_run"] and r["status"] == "completed"]
    if not committed:
        return {"round": None, "lines": []}
    latest = max(committed, key=lambda r: r["finished_at"] or "")
    detail = await apis.round(latest["round_id"])
    named = Names(detail.get("names"), {firm_id: profile["firm"]["name"]})
    served: dict[str, list[dict]] = {}
    for contract in detail.get("contracts", []):
        for offer in contract["offers"]:
            for line in offer["lines"]:
                if line["firm_id"] == firm_id:
                    served.setdefault(line["line_id"], []).append({
                        "provider": named(contract["provider_id"]),
                        "offer": named(offer["offer_id"]),
                        "units": formats.number(t, line["units"]),
                        "weeks": formats.week_range(t, line["weeks"][0], line["weeks"][-1])
                        if line["weeks"] else formats.MISSING,
                        "price": formats.money(t, line["unit_price_eur"]),
                        "cost": formats.money(t, line["cost_eur"])})
    unmet: dict[str, dict] = {}
    for group in detail.get("unmet", []):
        for line in group["lines"]:
            if line["firm_id"] == firm_id:
                unmet[line["line_id"]] = {
                    "units": formats.number(t, line["units"]),
                    "reason": words.reason(t, group["reason"]),
                    "change": words.change(t, group["reason"], line.get("change"),
                                           line["units"], firm_id, named)}
    mine = next((f for f in detail.get("firms", []) if f["firm_id"] == firm_id), None)
    return {"round": latest,
            "spend": formats.money(t, mine["cost_eur"]) if mine else formats.MISSING,
            "budget": formats.money(t, profile["firm"]["welfare_budget_eur"]),
            "lines": [{"line": entry["line"]["line_id"],
                       "served": served.get(entry["line"]["line_id"], []),
                       "unmet": unmet.get(entry["line"]["line_id"])}
                      for entry in demand["lines"]]}
