"""Hypothesis strategies for small random, valid round snapshots.

Choices are listed permissive first (a large budget, a high maximum price, a
line near an offer), because hypothesis leans towards the first option; the
restrictive ones still come up often enough.

Sizes stay tiny (a few firms, lines, offers and weeks) so that the optimiser,
the checker and an exhaustive brute force all run in milliseconds. Pinned
assignments are drawn only where keeping them alone is feasible (compatible at
every tier price, within capacity, at or above the minimum group, within the
firm's budget), so every generated round has a feasible answer.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from schemas.snapshot import RoundSnapshot

WEEKS = ["2027-W27", "2027-W28", "2027-W29", "2027-W30"]
MUNICIPALITIES = ["036023", "036005"]
CATEGORIES = ["childcare", "home_care"]
TAGS = ["accessible", "bilingual"]
PRICES = ["5.00", "8.00", "10.00", "12.50", "15.00", "20.00"]


def _subset(pool, min_size=1, max_size=None):
    return st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size or len(pool),
                    unique=True).map(sorted)


@st.composite
def week_span(draw, weeks=WEEKS):
    """A run of consecutive weeks (how demand comes: a school closure, a summer)."""
    first = draw(st.integers(0, len(weeks) - 1))
    last = draw(st.integers(first, len(weeks) - 1))
    return weeks[first: last + 1]


@st.composite
def offers(draw, offer_id, weeks):
    capacity = draw(st.sampled_from([5, 4, 3, 2, 1]))
    tier_count = draw(st.integers(1, 3))
    volumes = sorted(draw(st.lists(st.integers(1, 12), min_size=tier_count - 1,
                                   max_size=tier_count - 1, unique=True)))
    prices = draw(st.lists(st.sampled_from(PRICES), min_size=tier_count, max_size=tier_count))
    return {
        "offer_id": offer_id,
        "provider_id": f"P{draw(st.integers(1, 2))}",
        "category": draw(st.sampled_from(CATEGORIES)),
        "municipalities": draw(_subset(MUNICIPALITIES)),
        "weeks": (list(weeks) if draw(st.integers(0, 2)) < 2
                  else draw(st.one_of(week_span(weeks), _subset(weeks)))),
        "capacity_per_week": capacity,
        "min_group_per_week": draw(st.one_of(st.just(0), st.integers(0, capacity))),
        "price_tiers": [
            {"min_volume": v, "unit_price_eur": p} for v, p in zip([0, *volumes], prices)
        ],
        "fixed_cost_per_week_eur": draw(st.sampled_from(["0.00", "0.00", "10.00", "25.00"])),
        "tags": draw(st.one_of(st.just(list(TAGS)), _subset(TAGS, min_size=0))),
    }


@st.composite
def lines(draw, line_id, firm_ids, weeks, near=()):
    """A line; most lines sit in the category and area of one of the ``near`` offers."""
    if near and draw(st.integers(0, 3)) < 3:  # hypothesis shrinks towards 0: near
        offer = draw(st.sampled_from(near))
        category = offer["category"]
        municipality = draw(st.sampled_from(offer["municipalities"]))
    else:
        category = draw(st.sampled_from(CATEGORIES))
        municipality = draw(st.sampled_from(MUNICIPALITIES))
    return {
        "line_id": line_id,
        "firm_id": draw(st.sampled_from(firm_ids)),
        "category": category,
        "municipality": municipality,
        "weeks": draw(st.one_of(week_span(weeks), _subset(weeks, max_size=3))),
        "units": draw(st.integers(1, 3)),
        "max_unit_price_eur": draw(st.sampled_from(["50.00", *PRICES[1:]])),
        "priority": draw(st.integers(1, 5)),
        "required_tags": draw(st.one_of(st.just([]), _subset(TAGS, min_size=0, max_size=1))),
        "payer": draw(st.sampled_from(["firm", "firm", "firm", "municipality"])),
        "respondents": 10,
    }


def _pinnable(line, offer, budgets):
    """Units of ``line`` on ``offer`` that could be pinned and kept on their own."""
    if (
        line["category"] != offer["category"]
        or line["municipality"] not in offer["municipalities"]
        or not set(line["weeks"]) <= set(offer["weeks"])
        or not set(line["required_tags"]) <= set(offer["tags"])
    ):
        return []
    top = max(Decimal(t["unit_price_eur"]) for t in offer["price_tiers"])
    if top > Decimal(line["max_unit_price_eur"]):
        return []
    units = range(max(1, offer["min_group_per_week"]),
                  min(line["units"], offer["capacity_per_week"]) + 1)
    if line["payer"] == "firm":
        budget = Decimal(budgets[line["firm_id"]])
        units = [u for u in units if top * u * len(line["weeks"]) <= budget]
    return list(units)


@st.composite
def snapshots(draw, max_lines=4, max_offers=3, max_firms=2, weeks=WEEKS,
              with_pins=True, with_previous=True):
    """A small random valid RoundSnapshot."""
    firm_ids = [f"F{i + 1}" for i in range(draw(st.integers(1, max_firms)))]
    budgets = {f: draw(st.sampled_from(["100000.00", "400.00", "150.00", "60.00", "0.00"]))
               for f in firm_ids}
    offer_list = [draw(offers(f"O{i + 1}", weeks)) for i in range(draw(st.integers(1, max_offers)))]
    line_list = [draw(lines(f"L{i + 1}", firm_ids, weeks, offer_list))
                 for i in range(draw(st.integers(1, max_lines)))]
    pairs = [(ln, of) for ln in line_list for of in offer_list]
    pinned = []
    if with_pins and pairs and draw(st.booleans()):
        candidates = [(ln, of, _pinnable(ln, of, budgets)) for ln, of in pairs]
        candidates = [c for c in candidates if c[2]]
        if candidates:
            ln, of, units = draw(st.sampled_from(candidates))
            pinned.append({"line_id": ln["line_id"], "offer_id": of["offer_id"],
                           "units": draw(st.sampled_from(units))})
    pinned_pairs = {(p["line_id"], p["offer_id"]) for p in pinned}
    free_pairs = [(ln["line_id"], of["offer_id"]) for ln, of in pairs
                  if (ln["line_id"], of["offer_id"]) not in pinned_pairs]
    excluded = draw(st.lists(st.sampled_from(free_pairs), max_size=2, unique=True)) if free_pairs else []
    previous = []
    if with_previous and pairs and draw(st.booleans()):
        for ln, of in draw(st.lists(st.sampled_from(pairs), max_size=2, unique_by=lambda p: (
                p[0]["line_id"], p[1]["offer_id"]))):
            previous.append({"line_id": ln["line_id"], "offer_id": of["offer_id"],
                             "units": draw(st.integers(1, ln["units"]))})
    return RoundSnapshot.model_validate({
        "network_id": "testnet",
        "round_id": f"r{draw(st.integers(1, 99))}",
        "first_week": weeks[0],
        "last_week": weeks[-1],
        "firms": [{"firm_id": f, "welfare_budget_eur": b} for f, b in budgets.items()],
        "demand_lines": line_list,
        "offers": offer_list,
        "pinned": pinned,
        "excluded": [{"line_id": lid, "offer_id": oid} for lid, oid in excluded],
        "previous": previous,
    })
