"""Independent feasibility checker for round results.

Written from DESIGN.md ("What a matching round means") and the contracts in
``schemas/`` only; it shares no code with the optimiser in ``matcher/``, so a
bug in the model's constraints cannot hide itself here.

``check(snapshot, result)`` returns human-readable violations; an empty list
means the result keeps every rule of a round and its figures add up. There is
one function per rule, each taking the prepared ``_Round`` view.

Interpretations this checker fixes, where the brief leaves a choice:

- An offer *runs* in a week exactly when its load there is positive;
  ``running_weeks`` lists those weeks and ``fixed_cost_eur`` charges them.
- ``weekly_load`` may omit weeks with zero load, never a loaded one.
- Budgets bind only the firm-paid lines; a firm outcome's ``cost_eur`` is what
  the firm pays (its firm-paid lines), or, tolerated, the cost of all its lines.
- Unmet reasons are checked for plausibility only where a reason is plainly
  contradicted by the snapshot (e.g. "no provider in area" while a usable offer
  of the category serves the municipality).
- Objective, bound and gap follow the optimiser's documented definitions
  (minimised L; gap = (objective - bound) / |objective|); ``optimal`` means
  proven within the relative gap asked for.
- The input hash is recomputed from the canonical form the optimiser documents
  in ``matcher/round/reproducibility.py`` (not by calling its code).
- A result whose status is ``infeasible`` or ``no_solution`` must carry no
  contracts; the per-round accounting is not demanded of it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from schemas.capacity import CapacityOffer
from schemas.result import GroupContract, RoundResult, SolveStatus, UnmetReason
from schemas.snapshot import RoundSnapshot, SnapshotLine, SnapshotOffer
from schemas.types import Payer

CENT = Decimal("0.01")
FLOAT_TOL = 1e-6
_HASH = re.compile(r"^[0-9a-f]{64}$")


def check(snapshot: RoundSnapshot, result: RoundResult) -> list[str]:
    """Every violated rule, in words; empty when the result is feasible and consistent."""
    view = _Round.of(snapshot, result)
    rules = RULES if view.has_solution else NO_SOLUTION_RULES
    problems: list[str] = []
    for rule in rules:
        problems += rule(view)
    return problems


# --------------------------------------------------------------------------- view


@dataclass
class _Round:
    """The snapshot and result indexed once, for the rules below."""

    snapshot: RoundSnapshot
    result: RoundResult
    lines: dict[str, SnapshotLine]
    offers: dict[str, SnapshotOffer]
    budgets: dict[str, Decimal]
    excluded: set[tuple[str, str]]
    # (line_id, offer_id) -> units served, summed over the result's contract lines
    served: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_cell: dict[tuple[str, str], list[SnapshotOffer]] | None = None

    @classmethod
    def of(cls, snapshot: RoundSnapshot, result: RoundResult) -> _Round:
        view = cls(
            snapshot=snapshot,
            result=result,
            lines={line.line_id: line for line in snapshot.demand_lines},
            offers={offer.offer_id: offer for offer in snapshot.offers},
            budgets={firm.firm_id: firm.welfare_budget_eur for firm in snapshot.firms},
            excluded={(pair.line_id, pair.offer_id) for pair in snapshot.excluded},
        )
        served: dict[tuple[str, str], int] = defaultdict(int)
        for contract in result.contracts:
            for cline in contract.lines:
                served[(cline.line_id, contract.offer_id)] += cline.units
        view.served = dict(served)
        return view

    def offers_in_area(self, line: SnapshotLine) -> list[SnapshotOffer]:
        """Offers of the line's category that serve its municipality (declined ones included)."""
        if self._by_cell is None:
            cells: dict[tuple[str, str], list[SnapshotOffer]] = defaultdict(list)
            for offer in self.offers.values():
                for municipality in offer.municipalities:
                    cells[(offer.category, municipality)].append(offer)
            self._by_cell = dict(cells)
        return self._by_cell.get((line.category, line.municipality), [])

    @property
    def has_solution(self) -> bool:
        return self.result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def known_contracts(self) -> list[tuple[GroupContract, SnapshotOffer]]:
        """Contracts whose offer exists (unknown offers are reported by one rule)."""
        return [(c, self.offers[c.offer_id]) for c in self.result.contracts if c.offer_id in self.offers]

    def line_served_units(self) -> dict[str, int]:
        total: dict[str, int] = defaultdict(int)
        for (line_id, _), units in self.served.items():
            total[line_id] += units
        return total

    def weekly_loads(self, contract: GroupContract) -> dict[str, int]:
        """Load of the contract's offer in each week, recomputed from its lines."""
        load: dict[str, int] = defaultdict(int)
        for cline in contract.lines:
            line = self.lines.get(cline.line_id)
            if line is None:
                continue
            for week in line.weeks:
                load[week] += cline.units
        return dict(load)


def input_hash(snapshot: RoundSnapshot, params) -> str:
    """The canonical form matcher/round/reproducibility.py documents: sha256 of the snapshot's JSON
    with its parameters replaced by the effective ones, keys sorted, no spaces, UTF-8."""
    effective = snapshot.model_copy(update={"parameters": params}).model_dump(mode="json")
    text = json.dumps(effective, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unit_weeks(line: SnapshotLine, units: int | None = None) -> int:
    return (line.units if units is None else units) * len(line.weeks)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= FLOAT_TOL * max(1.0, abs(a), abs(b))


def _cents(amount: Decimal | int) -> Decimal:
    # Defaults such as ``fixed_cost_per_week_eur = 0`` arrive as int, not Decimal.
    return Decimal(amount).quantize(CENT)


def tier_for_volume(offer: CapacityOffer, volume: int) -> int:
    """All-units tiers: tier t iff min_volume_t <= volume < min_volume_{t+1}."""
    chosen = 0
    for index, tier in enumerate(offer.price_tiers):
        if tier.min_volume <= volume:
            chosen = index
    return chosen


# --------------------------------------------------------------------------- identity


def rule_identity(view: _Round) -> list[str]:
    """The result belongs to this snapshot's round; its input hash is that of the snapshot
    solved with the result's parameters (the canonical form of matcher/round/reproducibility.py)."""
    snap, res = view.snapshot, view.result
    problems = []
    if res.network_id != snap.network_id:
        problems.append(f"result network_id {res.network_id!r} != snapshot {snap.network_id!r}")
    if res.round_id != snap.round_id:
        problems.append(f"result round_id {res.round_id!r} != snapshot {snap.round_id!r}")
    if not _HASH.match(res.input_hash or ""):
        problems.append(f"input_hash {res.input_hash!r} is not 64 lowercase hex digits")
    elif res.input_hash != input_hash(snap, res.parameters):
        problems.append(f"input_hash {res.input_hash[:12]}... is not the hash of this snapshot "
                        f"with the result's parameters ({input_hash(snap, res.parameters)[:12]}...)")
    if res.seed != res.parameters.seed:
        problems.append(f"seed {res.seed} != parameters.seed {res.parameters.seed}")
    if res.gap is not None and res.gap < -FLOAT_TOL:
        problems.append(f"gap {res.gap} is negative")
    return problems


def rule_solver_figures(view: _Round) -> list[str]:
    """Objective, bound and gap agree (minimisation, gap = (objective - bound) / |objective|);
    "optimal" means proven within the relative gap asked for (schemas/result.py)."""
    res, problems = view.result, []
    objective, bound, gap = res.objective, res.bound, res.gap
    if objective is None:  # allowed (a heuristic may not score its answer), but not "optimal"
        return ["status optimal without an objective"] if res.status == SolveStatus.OPTIMAL else []
    slack = 1e-9 * max(1.0, abs(objective))
    if bound is not None and bound > objective + slack:
        problems.append(f"bound {bound!r} is above the objective {objective!r} (minimising)")
    if bound is not None and gap is not None:
        expected = max(0.0, objective - bound) / max(abs(objective), 1e-9)
        if abs(gap - expected) > 1e-6 * max(1.0, expected):
            problems.append(f"gap {gap!r} != (objective - bound) / |objective| = {expected!r}")
    if res.status == SolveStatus.OPTIMAL:
        if bound is None or gap is None:
            problems.append("status optimal without a bound and gap")
        elif gap > res.parameters.relative_gap + 1e-9:
            problems.append(f"status optimal but gap {gap!r} > relative_gap "
                            f"{res.parameters.relative_gap!r}")
    return problems


def rule_no_contracts_without_solution(view: _Round) -> list[str]:
    """An infeasible or unsolved round awards nothing."""
    if view.result.contracts:
        return [f"status {view.result.status.value} but {len(view.result.contracts)} contracts"]
    return []


# --------------------------------------------------------------------------- contracts


def rule_contracts_reference_offers(view: _Round) -> list[str]:
    """Each contract names a known offer, its provider, and appears once per offer."""
    problems = []
    seen: set[str] = set()
    for contract in view.result.contracts:
        offer = view.offers.get(contract.offer_id)
        if offer is None:
            problems.append(f"contract for unknown offer {contract.offer_id!r}")
            continue
        if contract.offer_id in seen:
            problems.append(f"offer {contract.offer_id}: more than one contract (one tier per offer)")
        seen.add(contract.offer_id)
        if contract.provider_id != offer.provider_id:
            problems.append(
                f"offer {contract.offer_id}: contract provider {contract.provider_id!r} "
                f"!= offer provider {offer.provider_id!r}"
            )
        if not contract.lines:
            problems.append(f"offer {contract.offer_id}: contract has no lines")
    return problems


def rule_contract_lines_reference_lines(view: _Round) -> list[str]:
    """Each contract line names a known demand line of the right firm, once per contract."""
    problems = []
    for contract in view.result.contracts:
        seen: set[str] = set()
        for cline in contract.lines:
            line = view.lines.get(cline.line_id)
            if line is None:
                problems.append(f"offer {contract.offer_id}: unknown line {cline.line_id!r}")
                continue
            if cline.line_id in seen:
                problems.append(f"offer {contract.offer_id}: line {cline.line_id} listed twice")
            seen.add(cline.line_id)
            if cline.firm_id != line.firm_id:
                problems.append(
                    f"offer {contract.offer_id}, line {cline.line_id}: firm {cline.firm_id!r} "
                    f"!= line's firm {line.firm_id!r}"
                )
    return problems


def rule_compatibility(view: _Round) -> list[str]:
    """Category, area, weeks, tags and maximum price of every served pair."""
    problems = []
    for contract, offer in view.known_contracts():
        for cline in contract.lines:
            line = view.lines.get(cline.line_id)
            if line is None:
                continue
            where = f"line {line.line_id} on offer {offer.offer_id}"
            if line.category != offer.category:
                problems.append(f"{where}: category {line.category} != {offer.category}")
            if line.municipality not in offer.municipalities:
                problems.append(f"{where}: municipality {line.municipality} not in the offer's area")
            missing_weeks = sorted(set(line.weeks) - set(offer.weeks))
            if missing_weeks:
                problems.append(f"{where}: weeks {missing_weeks} not in the offer's weeks")
            missing_tags = sorted(set(line.required_tags) - set(offer.tags))
            if missing_tags:
                problems.append(f"{where}: required tags {missing_tags} not offered")
            if cline.unit_price_eur > line.max_unit_price_eur:
                problems.append(
                    f"{where}: unit price {cline.unit_price_eur} above the line's maximum "
                    f"{line.max_unit_price_eur}"
                )
    return problems


def rule_continuity(view: _Round) -> list[str]:
    """A line's units on an offer are served in every week of the line."""
    problems = []
    for contract in view.result.contracts:
        for cline in contract.lines:
            line = view.lines.get(cline.line_id)
            if line is None:
                continue
            if cline.unit_weeks != unit_weeks(line, cline.units):
                problems.append(
                    f"line {line.line_id} on offer {contract.offer_id}: unit_weeks "
                    f"{cline.unit_weeks} != units {cline.units} x {len(line.weeks)} weeks"
                )
    return problems


def rule_weekly_load(view: _Round) -> list[str]:
    """Per offer and week: load 0 (not running) or between the minimum group and capacity;
    ``running_weeks`` and ``weekly_load`` agree with the lines."""
    problems = []
    for contract, offer in view.known_contracts():
        load = view.weekly_loads(contract)
        where = f"offer {offer.offer_id}"
        for week, units in sorted(load.items()):
            if units > offer.capacity_per_week:
                problems.append(f"{where}, {week}: load {units} above capacity {offer.capacity_per_week}")
            if 0 < units < offer.min_group_per_week:
                problems.append(
                    f"{where}, {week}: load {units} below the minimum group {offer.min_group_per_week}"
                )
        running = sorted(week for week, units in load.items() if units > 0)
        if list(contract.running_weeks) != running:
            problems.append(f"{where}: running_weeks {list(contract.running_weeks)} != loaded weeks {running}")
        for week in sorted(set(load) | set(contract.weekly_load)):
            reported, actual = contract.weekly_load.get(week, 0), load.get(week, 0)
            if reported != actual:
                problems.append(f"{where}, {week}: weekly_load says {reported}, lines give {actual}")
    return problems


def rule_tier(view: _Round) -> list[str]:
    """One tier per offer, the one its total volume reaches; every line pays its price."""
    problems = []
    for contract, offer in view.known_contracts():
        where = f"offer {offer.offer_id}"
        volume = sum(cline.unit_weeks for cline in contract.lines)
        if contract.volume_unit_weeks != volume:
            problems.append(f"{where}: volume_unit_weeks {contract.volume_unit_weeks} != lines' {volume}")
        if contract.tier_index >= len(offer.price_tiers):
            problems.append(f"{where}: tier_index {contract.tier_index} does not exist")
            continue
        right = tier_for_volume(offer, volume)
        if contract.tier_index != right:
            problems.append(f"{where}: tier {contract.tier_index} charged, volume {volume} is tier {right}")
        price = offer.price_tiers[contract.tier_index].unit_price_eur
        if contract.unit_price_eur != price:
            problems.append(f"{where}: unit price {contract.unit_price_eur} != tier price {price}")
        for cline in contract.lines:
            if cline.unit_price_eur != contract.unit_price_eur:
                problems.append(
                    f"{where}, line {cline.line_id}: pays {cline.unit_price_eur}, "
                    f"the contract's price is {contract.unit_price_eur}"
                )
    return problems


def rule_costs(view: _Round) -> list[str]:
    """Line cost = unit-weeks x price; contract unit and fixed costs add up (to the cent)."""
    problems = []
    for contract, offer in view.known_contracts():
        where = f"offer {offer.offer_id}"
        for cline in contract.lines:
            expected = _cents(cline.unit_weeks * cline.unit_price_eur)
            if _cents(cline.cost_eur) != expected:
                problems.append(f"{where}, line {cline.line_id}: cost {cline.cost_eur} != {expected}")
        unit_cost = _cents(sum((cline.cost_eur for cline in contract.lines), Decimal(0)))
        if _cents(contract.unit_cost_eur) != unit_cost:
            problems.append(f"{where}: unit_cost_eur {contract.unit_cost_eur} != lines' {unit_cost}")
        fixed = _cents(len(contract.running_weeks) * offer.fixed_cost_per_week_eur)
        if _cents(contract.fixed_cost_eur) != fixed:
            problems.append(
                f"{where}: fixed_cost_eur {contract.fixed_cost_eur} != "
                f"{len(contract.running_weeks)} running weeks x {offer.fixed_cost_per_week_eur}"
            )
    return problems


def rule_pinned_flag(view: _Round) -> list[str]:
    """A contract line is flagged pinned exactly when its pair is pinned."""
    pinned = {(p.line_id, p.offer_id) for p in view.snapshot.pinned}
    problems = []
    for contract in view.result.contracts:
        for cline in contract.lines:
            is_pinned = (cline.line_id, contract.offer_id) in pinned
            if cline.pinned != is_pinned:
                problems.append(
                    f"line {cline.line_id} on offer {contract.offer_id}: pinned flag "
                    f"{cline.pinned}, snapshot says {is_pinned}"
                )
    return problems


# --------------------------------------------------------------------------- lines, firms


def rule_served_within_demand(view: _Round) -> list[str]:
    """A line's served units, over all offers, never exceed its units."""
    problems = []
    for line_id, units in sorted(view.line_served_units().items()):
        line = view.lines.get(line_id)
        if line is not None and units > line.units:
            problems.append(f"line {line_id}: {units} units served, only {line.units} demanded")
    return problems


def rule_budgets(view: _Round) -> list[str]:
    """Each firm's firm-paid unit costs stay within its budget."""
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for contract in view.result.contracts:
        for cline in contract.lines:
            line = view.lines.get(cline.line_id)
            if line is not None and line.payer == Payer.FIRM:
                spent[line.firm_id] += cline.cost_eur
    problems = []
    for firm_id, amount in sorted(spent.items()):
        budget = view.budgets.get(firm_id, Decimal(0))
        if amount > budget:
            problems.append(f"firm {firm_id}: firm-paid costs {amount} exceed its budget {budget}")
    return problems


def rule_pinned_kept(view: _Round) -> list[str]:
    """Pinned (accepted) assignments stay: at least those units on that offer."""
    problems = []
    for pin in view.snapshot.pinned:
        got = view.served.get((pin.line_id, pin.offer_id), 0)
        if got < pin.units:
            problems.append(
                f"pinned line {pin.line_id} on offer {pin.offer_id}: {got} units kept, "
                f"{pin.units} pinned"
            )
    return problems


def rule_excluded_absent(view: _Round) -> list[str]:
    """Declined pairs are not matched."""
    return [
        f"excluded pair line {line_id} / offer {offer_id} is matched ({units} units)"
        for (line_id, offer_id), units in sorted(view.served.items())
        if (line_id, offer_id) in view.excluded and units > 0
    ]


def rule_unmet_accounting(view: _Round) -> list[str]:
    """Unmet + served units = demanded units for every line; records are well formed."""
    problems = []
    unmet: dict[str, int] = defaultdict(int)
    for record in view.result.unmet:
        line = view.lines.get(record.line_id)
        if line is None:
            problems.append(f"unmet record for unknown line {record.line_id!r}")
            continue
        unmet[record.line_id] += record.units
        if record.firm_id != line.firm_id:
            problems.append(f"unmet line {line.line_id}: firm {record.firm_id!r} != {line.firm_id!r}")
        if record.unit_weeks != unit_weeks(line, record.units):
            problems.append(
                f"unmet line {line.line_id}: unit_weeks {record.unit_weeks} != "
                f"{record.units} x {len(line.weeks)} weeks"
            )
        if record.reason not in set(UnmetReason):
            problems.append(f"unmet line {line.line_id}: unknown reason {record.reason!r}")
    served = view.line_served_units()
    for line_id, line in view.lines.items():
        total = served.get(line_id, 0) + unmet.get(line_id, 0)
        if total != line.units:
            problems.append(
                f"line {line_id}: served {served.get(line_id, 0)} + unmet {unmet.get(line_id, 0)} "
                f"!= demanded {line.units}"
            )
    return problems


def rule_unmet_reasons_plausible(view: _Round) -> list[str]:
    """A reason must not be plainly contradicted by the snapshot."""
    problems = []
    for record in view.result.unmet:
        line = view.lines.get(record.line_id)
        if line is None:
            continue
        in_area = view.offers_in_area(line)
        usable_in_area = [o for o in in_area if (line.line_id, o.offer_id) not in view.excluded]
        reason = UnmetReason(record.reason)
        why = None
        if reason is UnmetReason.NO_PROVIDER_IN_AREA and usable_in_area:
            why = f"offer {usable_in_area[0].offer_id} serves {line.municipality}"
        elif reason is UnmetReason.TAG_NOT_OFFERED and (
            not line.required_tags
            or all(set(line.required_tags) <= set(o.tags) for o in in_area)
        ):
            why = "every offer in the area has the line's tags" if line.required_tags else "no tag required"
        elif reason is UnmetReason.PRICE_ABOVE_MAXIMUM and all(
            t.unit_price_eur <= line.max_unit_price_eur for o in in_area for t in o.price_tiers
        ):
            why = "no offer in the area charges more than the line's maximum"
        elif reason is UnmetReason.BUDGET_SPENT and line.payer != Payer.FIRM:
            why = "the line is not paid from the firm's budget"
        elif reason is UnmetReason.GROUP_BELOW_MINIMUM and all(
            o.min_group_per_week == 0 for o in in_area
        ):
            why = "no offer in the area has a minimum group"
        if why:
            problems.append(f"unmet line {line.line_id}: reason {reason.value} but {why}")
    return problems


def rule_firm_outcomes(view: _Round) -> list[str]:
    """Firm outcomes agree with the lines and contracts."""
    demanded: dict[str, int] = defaultdict(int)
    for line in view.lines.values():
        demanded[line.firm_id] += unit_weeks(line)
    served: dict[str, int] = defaultdict(int)
    firm_paid: dict[str, Decimal] = defaultdict(Decimal)
    all_lines: dict[str, Decimal] = defaultdict(Decimal)
    for contract in view.result.contracts:
        for cline in contract.lines:
            line = view.lines.get(cline.line_id)
            if line is None:
                continue
            served[line.firm_id] += cline.unit_weeks
            all_lines[line.firm_id] += cline.cost_eur
            if line.payer == Payer.FIRM:
                firm_paid[line.firm_id] += cline.cost_eur
    problems = []
    reported = set()
    for outcome in view.result.firms:
        firm = outcome.firm_id
        if firm in reported:
            problems.append(f"firm {firm}: outcome listed twice")
        reported.add(firm)
        if firm not in view.budgets:
            problems.append(f"outcome for unknown firm {firm!r}")
            continue
        if outcome.demanded_unit_weeks != demanded[firm]:
            problems.append(f"firm {firm}: demanded {outcome.demanded_unit_weeks} != {demanded[firm]}")
        if outcome.served_unit_weeks != served[firm]:
            problems.append(f"firm {firm}: served {outcome.served_unit_weeks} != {served[firm]}")
        coverage = served[firm] / demanded[firm] if demanded[firm] else 0.0
        if not _close(outcome.coverage, coverage) and not (demanded[firm] == 0 and outcome.coverage in (0, 1)):
            problems.append(f"firm {firm}: coverage {outcome.coverage} != {coverage:.6f}")
        if _cents(outcome.cost_eur) not in (_cents(firm_paid[firm]), _cents(all_lines[firm])):
            problems.append(
                f"firm {firm}: cost {outcome.cost_eur} is neither its firm-paid cost "
                f"{firm_paid[firm]} nor its lines' cost {all_lines[firm]}"
            )
        if outcome.budget_eur != view.budgets[firm]:
            problems.append(f"firm {firm}: budget {outcome.budget_eur} != {view.budgets[firm]}")
    for firm in sorted(demanded):
        if firm not in reported:
            problems.append(f"firm {firm} has demand but no outcome")
    return problems


def rule_totals(view: _Round) -> list[str]:
    """Round totals agree with the lines and contracts."""
    totals, weights = view.result.totals, view.result.parameters.priority_weights
    demanded = sum(unit_weeks(line) for line in view.lines.values())
    served_by_line: dict[str, int] = defaultdict(int)
    for contract in view.result.contracts:
        for cline in contract.lines:
            served_by_line[cline.line_id] += cline.unit_weeks
    served = sum(served_by_line.values())
    weighted_demand = sum(weights[line.priority - 1] * unit_weeks(line) for line in view.lines.values())
    weighted_served = sum(
        weights[view.lines[lid].priority - 1] * uw for lid, uw in served_by_line.items() if lid in view.lines
    )
    unit_cost = sum((c.unit_cost_eur for c in view.result.contracts), Decimal(0))
    fixed = sum((c.fixed_cost_eur for c in view.result.contracts), Decimal(0))
    problems = []
    if totals.demanded_unit_weeks != demanded:
        problems.append(f"totals: demanded {totals.demanded_unit_weeks} != {demanded}")
    if totals.served_unit_weeks != served:
        problems.append(f"totals: served {totals.served_unit_weeks} != {served}")
    coverage = served / demanded if demanded else 0.0
    if demanded and not _close(totals.coverage, coverage):
        problems.append(f"totals: coverage {totals.coverage} != {coverage:.6f}")
    weighted = weighted_served / weighted_demand if weighted_demand else 0.0
    if weighted_demand and not _close(totals.weighted_coverage, weighted):
        problems.append(f"totals: weighted coverage {totals.weighted_coverage} != {weighted:.6f}")
    if _cents(totals.unit_cost_eur) != _cents(unit_cost):
        problems.append(f"totals: unit cost {totals.unit_cost_eur} != contracts' {unit_cost}")
    if _cents(totals.fixed_cost_eur) != _cents(fixed):
        problems.append(f"totals: fixed cost {totals.fixed_cost_eur} != contracts' {fixed}")
    if _cents(totals.total_cost_eur) != _cents(unit_cost + fixed):
        problems.append(f"totals: total cost {totals.total_cost_eur} != {unit_cost + fixed}")
    return problems


Rule = Callable[[_Round], list[str]]

RULES: tuple[Rule, ...] = (
    rule_identity,
    rule_solver_figures,
    rule_contracts_reference_offers,
    rule_contract_lines_reference_lines,
    rule_compatibility,
    rule_continuity,
    rule_weekly_load,
    rule_tier,
    rule_costs,
    rule_pinned_flag,
    rule_served_within_demand,
    rule_budgets,
    rule_pinned_kept,
    rule_excluded_absent,
    rule_unmet_accounting,
    rule_unmet_reasons_plausible,
    rule_firm_outcomes,
    rule_totals,
)

NO_SOLUTION_RULES: tuple[Rule, ...] = (rule_identity, rule_no_contracts_without_solution)
