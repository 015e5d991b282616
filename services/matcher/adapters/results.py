"""A round's result as queryable rows: contracts, their offers and lines, unmet lines."""

from __future__ import annotations

import json

from sqlalchemy import Connection, insert

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot
from services.matcher.adapters import tables as t
from services.matcher.domain.awards import contracts_by_provider
from services.matcher.domain.ids import award_event_id, cents, contract_id


def store_result_rows(connection: Connection, snapshot: RoundSnapshot, result: RoundResult,
                      *, awarded: bool) -> None:
    weeks_of = {line.line_id: line.weeks for line in snapshot.demand_lines}
    contracts, offers, lines = [], [], []
    for provider_id, groups in contracts_by_provider(result).items():
        contract = contract_id(result.round_id, provider_id)
        contracts.append({
            "contract_id": contract, "round_id": result.round_id,
            "network_id": result.network_id, "provider_id": provider_id, "awarded": awarded,
            "award_event_id": str(award_event_id(contract)) if awarded else None,
            "unit_cost_cents": sum(cents(g.unit_cost_eur) for g in groups),
            "fixed_cost_cents": sum(cents(g.fixed_cost_eur) for g in groups),
        })
        for g in groups:
            offers.append({
                "contract_id": contract, "offer_id": g.offer_id, "tier_index": g.tier_index,
                "unit_price_cents": cents(g.unit_price_eur),
                "volume_unit_weeks": g.volume_unit_weeks,
                "running_weeks": json.dumps(g.running_weeks),
                "weekly_load": json.dumps(g.weekly_load),
                "fixed_cost_cents": cents(g.fixed_cost_eur),
                "unit_cost_cents": cents(g.unit_cost_eur),
            })
            lines.extend({
                "contract_id": contract, "offer_id": g.offer_id, "line_id": line.line_id,
                "firm_id": line.firm_id, "units": line.units, "unit_weeks": line.unit_weeks,
                "weeks": json.dumps(weeks_of.get(line.line_id, [])),
                "unit_price_cents": cents(line.unit_price_eur),
                "cost_cents": cents(line.cost_eur), "pinned": line.pinned,
            } for line in g.lines)
    unmet = [{
        "round_id": result.round_id, "position": i, "line_id": u.line_id,
        "firm_id": u.firm_id, "units": u.units, "unit_weeks": u.unit_weeks,
        "reason": u.reason.value,
        "change_description": u.change.description if u.change else None,
        "change": u.change.model_dump_json() if u.change else None,
    } for i, u in enumerate(result.unmet)]
    for table, rows in ((t.contracts, contracts), (t.contract_offers, offers),
                        (t.contract_lines, lines), (t.unmet_lines, unmet)):
        if rows:
            connection.execute(insert(table), rows)
