"""A small stand-in welfare round generator for the benchmarks.

Used only when ``welfare scenario generate`` (services/scenario) is not
available. Municipalities are grouped in provinces of ten; an offer serves a few
municipalities of one province, so compatible lines and offers form many
independent groups, as in a real multi-network deployment.
"""

from __future__ import annotations

import random
from decimal import Decimal

from schemas.snapshot import RoundSnapshot
from schemas.types import istat_codes, weeks_between

CATEGORIES = ["childcare", "home_care", "family_assistant", "babysitting", "concierge"]
TAGS = ["accessible", "meals", "bilingual"]
WEEKS = weeks_between("2027-W24", "2027-W35")


def generate(demand_lines: int, seed: int = 1, network_id: str = "modena") -> RoundSnapshot:
    rng = random.Random(seed)
    # The first ten real municipalities of each province from 036 (Modena) on: the
    # contracts accept only ISTAT codes.
    real = sorted(istat_codes())
    municipalities = [code for p in range(max(1, demand_lines // 2000))
                      for code in [c for c in real if c[:3] == f"{36 + p:03d}"][:10]]
    provinces = [municipalities[i: i + 10] for i in range(0, len(municipalities), 10)]
    firm_count = max(3, demand_lines // 20)
    firms = [{"firm_id": f"F{i:06d}",
              "welfare_budget_eur": f"{rng.choice([2000, 5000, 15000, 40000])}.00"}
             for i in range(firm_count)]
    offers = []
    for i in range(max(5, demand_lines // 15)):
        province = rng.choice(provinces)
        capacity = rng.randint(10, 60)
        first_price = rng.randint(1500, 15000)
        span = rng.choice([WEEKS, WEEKS, WEEKS[rng.randint(0, 4):rng.randint(7, 12)]])
        offers.append({
            "offer_id": f"O{i:06d}", "provider_id": f"P{i // 3:06d}",
            "category": rng.choice(CATEGORIES),
            "municipalities": sorted(rng.sample(province, rng.randint(1, 4))),
            "weeks": span, "capacity_per_week": capacity,
            "min_group_per_week": rng.choice([0, 0, rng.randint(2, capacity // 3)]),
            "price_tiers": [
                {"min_volume": 0, "unit_price_eur": _money(first_price)},
                {"min_volume": capacity * 3, "unit_price_eur": _money(first_price * 95 // 100)},
                {"min_volume": capacity * 8, "unit_price_eur": _money(first_price * 90 // 100)},
            ],
            "fixed_cost_per_week_eur": _money(rng.choice([0, 5000, 20000])),
            "tags": sorted(t for t in TAGS if rng.random() < 0.5),
        })
    lines = []
    for i in range(demand_lines):
        start = rng.randint(0, len(WEEKS) - 1)
        length = rng.randint(1, min(6, len(WEEKS) - start))
        lines.append({
            "line_id": f"L{i:07d}", "firm_id": rng.choice(firms)["firm_id"],
            "category": rng.choice(CATEGORIES), "municipality": rng.choice(municipalities),
            "weeks": WEEKS[start: start + length], "units": rng.randint(1, 8),
            "max_unit_price_eur": _money(rng.randint(2000, 17000)),
            "priority": rng.choices([1, 2, 3, 4, 5], [50, 20, 15, 10, 5])[0],
            "required_tags": [rng.choice(TAGS)] if rng.random() < 0.2 else [],
            "payer": "municipality" if rng.random() < 0.1 else "firm",
            "respondents": 10,
        })
    return RoundSnapshot.model_validate({
        "network_id": network_id, "round_id": f"bench-{demand_lines}-{seed}",
        "first_week": WEEKS[0], "last_week": WEEKS[-1],
        "firms": firms, "demand_lines": lines, "offers": offers,
    })


def _money(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2).quantize(Decimal("0.01")))
