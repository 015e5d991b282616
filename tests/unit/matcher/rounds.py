"""Small snapshots for hand-checkable tests, written the way an operator would say them."""

from __future__ import annotations

from typing import Any

from schemas.parameters import RoundParameters
from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot

TOWN, OTHER_TOWN = "036023", "036005"
W27, W28, W29 = "2027-W27", "2027-W28", "2027-W29"


def line(line_id: str, firm: str, units: int, *, weeks=(W27,), price="200", priority=1,
         category="childcare", municipality=TOWN, tags=(), payer="firm") -> dict[str, Any]:
    return {"line_id": line_id, "firm_id": firm, "category": category,
            "municipality": municipality, "weeks": list(weeks), "units": units,
            "max_unit_price_eur": price, "priority": priority, "required_tags": list(tags),
            "payer": payer, "respondents": 10}


def offer(offer_id: str, capacity: int, *, weeks=(W27, W28, W29), min_group=0,
          tiers=((0, "100"),), fixed="0", category="childcare", area=(TOWN,),
          tags=()) -> dict[str, Any]:
    return {"offer_id": offer_id, "provider_id": f"p-{offer_id}", "category": category,
            "municipalities": list(area), "weeks": list(weeks), "capacity_per_week": capacity,
            "min_group_per_week": min_group,
            "price_tiers": [{"min_volume": v, "unit_price_eur": p} for v, p in tiers],
            "fixed_cost_per_week_eur": fixed, "tags": list(tags)}


def snapshot(lines, offers, *, budgets=None, pinned=(), excluded=(), previous=(),
             **parameters) -> RoundSnapshot:
    firms = sorted({entry["firm_id"] for entry in lines} | set(budgets or {}))
    budgets = budgets or {}
    params = {"relative_gap": 0.0, "time_limit_s": 30.0, "workers": 1, **parameters}
    return RoundSnapshot.model_validate({
        "network_id": "net-1", "round_id": "round-1", "first_week": W27, "last_week": W29,
        "firms": [{"firm_id": f, "welfare_budget_eur": budgets.get(f, "100000")} for f in firms],
        "demand_lines": lines, "offers": offers,
        "pinned": [{"line_id": a, "offer_id": b, "units": u} for a, b, u in pinned],
        "excluded": [{"line_id": a, "offer_id": b} for a, b in excluded],
        "previous": [{"line_id": a, "offer_id": b, "units": u} for a, b, u in previous],
        "parameters": RoundParameters(**params).model_dump(),
    })


def served(result: RoundResult) -> dict[tuple[str, str], int]:
    """(line, offer) -> units."""
    return {(cl.line_id, c.offer_id): cl.units for c in result.contracts for cl in c.lines}


def unmet(result: RoundResult) -> dict[str, tuple[str, int]]:
    """line -> (reason, units)."""
    return {u.line_id: (u.reason.value, u.units) for u in result.unmet}


def random_round(seed: int, lines: int = 12, offers: int = 6, firms: int = 4,
                 tight_budgets: bool = True, **parameters) -> RoundSnapshot:
    """A small round with everything in it: several towns (so several markets),
    minimum groups, tiers, fixed costs, tight budgets, priorities, two categories."""
    import random

    rng = random.Random(seed)
    towns = [TOWN, OTHER_TOWN, "036001"]
    weeks = [W27, W28, W29]
    demand = []
    for n in range(lines):
        first = rng.randrange(3)
        demand.append(line(f"l{n}", f"f{rng.randrange(firms)}", rng.randint(1, 6),
                           weeks=weeks[first:first + rng.randint(1, 3 - first)],
                           price=str(rng.choice([90, 120, 150])), priority=rng.randint(1, 5),
                           municipality=rng.choice(towns),
                           category=rng.choice(["childcare", "home_care"])))
    supply = []
    for n in range(offers):
        group = rng.choice([0, 0, 3, 6])
        supply.append(offer(f"o{n}", rng.randint(max(group, 4), 12), min_group=group,
                            tiers=((0, str(rng.choice([100, 130]))), (12, "85")),
                            fixed=str(rng.choice([0, 40])),
                            area=rng.sample(towns, rng.randint(1, 2)),
                            category=rng.choice(["childcare", "home_care"])))
    amounts = [300, 800, 100000] if tight_budgets else [100000]
    budgets = {f"f{n}": str(rng.choice(amounts)) for n in range(firms)}
    return snapshot(demand, supply, budgets=budgets, **parameters)
