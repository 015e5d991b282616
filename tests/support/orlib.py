"""OR-Library capacitated facility location (CFLP) instances and their optima.

Format (Beasley's cap41..cap134): ``m n``; then ``m`` lines ``capacity
fixed_cost``; then, for each of the ``n`` customers, its demand followed by the
cost of allocating *all* of its demand to each of the ``m`` facilities (spread
over several lines). In capa, capb and capc the capacity field is the literal
word ``capacity``; the published optimum is given for four capacities each.

Demand may be split between facilities, so the cost of sending ``q`` units of
customer ``i`` to facility ``j`` is ``q * cost[i][j] / demand[i]``.

This module also holds an independent CFLP evaluator (demand served, capacities
respected, cost recomputed) used to check the optimiser's CFLP answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ORLIB_DIR = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "orlib-cflp"

SMALL_NAMES = [
    f"cap{n}"
    for n in (41, 42, 43, 44, 51, 61, 62, 63, 64, 71, 72, 73, 74, 81, 82, 83, 84,
              91, 92, 93, 94, 101, 102, 103, 104, 111, 112, 113, 114,
              121, 122, 123, 124, 131, 132, 133, 134)
]


@dataclass(frozen=True)
class CflpInstance:
    name: str
    capacities: tuple[float, ...]  # per facility
    fixed_costs: tuple[float, ...]  # per facility, paid once if it is open
    demands: tuple[float, ...]  # per customer
    costs: tuple[tuple[float, ...], ...]  # [customer][facility]: cost of all the demand

    @property
    def facilities(self) -> int:
        return len(self.capacities)

    @property
    def customers(self) -> int:
        return len(self.demands)

    def unit_cost(self, customer: int, facility: int) -> float:
        return self.costs[customer][facility] / self.demands[customer]


def parse_cflp(text: str, name: str = "", capacity: float | None = None) -> CflpInstance:
    """Read one instance; ``capacity`` replaces the literal word ``capacity`` (capa/b/c)."""
    tokens = text.split()
    if "capacity" in tokens:
        if capacity is None:
            raise ValueError(f"{name}: the file needs a capacity (capa/capb/capc)")
        tokens = [str(capacity) if t == "capacity" else t for t in tokens]
    numbers = [float(t) for t in tokens]
    m, n = int(numbers[0]), int(numbers[1])
    expected = 2 + 2 * m + n * (1 + m)
    if len(numbers) != expected:
        raise ValueError(f"{name}: {len(numbers)} numbers, expected {expected} for m={m}, n={n}")
    pos = 2
    capacities, fixed = [], []
    for _ in range(m):
        capacities.append(numbers[pos])
        fixed.append(numbers[pos + 1])
        pos += 2
    demands, costs = [], []
    for _ in range(n):
        demands.append(numbers[pos])
        costs.append(tuple(numbers[pos + 1: pos + 1 + m]))
        pos += 1 + m
    return CflpInstance(name, tuple(capacities), tuple(fixed), tuple(demands), tuple(costs))


def load(name: str, capacity: float | None = None, directory: Path = ORLIB_DIR) -> CflpInstance:
    label = name if capacity is None else f"{name}-{int(capacity)}"
    return parse_cflp((directory / f"{name}.txt").read_text(), label, capacity)


@dataclass(frozen=True)
class PublishedOptimum:
    name: str  # file stem, e.g. "cap41" or "capa"
    capacity: float | None  # the capacity substituted, for capa/capb/capc
    optimum: float

    @property
    def label(self) -> str:
        return self.name if self.capacity is None else f"{self.name}-{int(self.capacity)}"


_OPT_LINE = re.compile(
    r"^\s*(?P<name>cap[a-z0-9]+)?\s+(?P<value>\d+\.\d+)(?:\s*\(capacity\s+(?P<cap>\d+)\))?\s*$"
)


def parse_capopt(text: str) -> list[PublishedOptimum]:
    """The table of optimal values; a line without a name continues the previous file."""
    optima: list[PublishedOptimum] = []
    current = None
    for raw in text.splitlines():
        match = _OPT_LINE.match(raw)
        if not match:
            continue
        current = match.group("name") or current
        if current is None:
            continue
        cap = match.group("cap")
        optima.append(PublishedOptimum(current, float(cap) if cap else None,
                                       float(match.group("value"))))
    return optima


def published_optima(directory: Path = ORLIB_DIR) -> dict[str, PublishedOptimum]:
    """By label: ``cap41`` ... ``cap134``, ``capa-8000`` ... ``capc-7250``."""
    return {o.label: o for o in parse_capopt((directory / "capopt.txt").read_text())}


# ----------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class CflpCheck:
    problems: list[str]
    cost: float  # recomputed: fixed costs of the open facilities + allocation costs
    open_facilities: int


def evaluate(instance: CflpInstance, flows: dict[tuple[int, int], float],
             tolerance: float = 1e-6) -> CflpCheck:
    """Check an allocation ``flows[(customer, facility)] = quantity`` and recompute its cost.

    A facility is open when it receives a positive flow; its fixed cost is paid.
    """
    problems: list[str] = []
    served = [0.0] * instance.customers
    load = [0.0] * instance.facilities
    cost = 0.0
    for (i, j), q in flows.items():
        if not (0 <= i < instance.customers and 0 <= j < instance.facilities):
            problems.append(f"flow ({i}, {j}) names no customer/facility")
            continue
        if q < -tolerance:
            problems.append(f"customer {i} -> facility {j}: negative flow {q}")
        served[i] += q
        load[j] += q
        cost += q * instance.unit_cost(i, j)
    for i, d in enumerate(instance.demands):
        if abs(served[i] - d) > tolerance * max(1.0, d):
            problems.append(f"customer {i}: {served[i]} served, demand {d}")
    opened = 0
    for j, cap in enumerate(instance.capacities):
        if load[j] > cap * (1 + tolerance):
            problems.append(f"facility {j}: load {load[j]} above capacity {cap}")
        if load[j] > tolerance:
            opened += 1
            cost += instance.fixed_costs[j]
    return CflpCheck(problems, cost, opened)


# ----------------------------------------------------------------- the optimiser's core


@dataclass(frozen=True)
class CflpOutcome:
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    flows: dict[tuple[int, int], float] | None  # (customer, facility) -> units
    seconds: float


def to_problem(instance: CflpInstance):
    """The instance as the optimiser's core problem: facilities are offers without a
    minimum group, customers must-serve lines, one week long, costs per unit."""
    from matcher.model.problem import ProblemData

    return ProblemData.from_arrays(
        demands=[int(d) for d in instance.demands],
        capacities=[int(c) for c in instance.capacities],
        fixed_costs=list(instance.fixed_costs),
        unit_costs=[[instance.unit_cost(i, j) for j in range(instance.facilities)]
                    for i in range(instance.customers)],
        must_serve=True,
    )


def solve_cflp(instance: CflpInstance, time_limit: float = 10.0, relative_gap: float = 0.0,
               solver: str = "auto", workers: int = 0) -> CflpOutcome:
    from matcher.solve import solve
    from schemas.parameters import RoundParameters

    if any(d != int(d) for d in instance.demands) or any(c != int(c) for c in instance.capacities):
        raise ValueError(f"{instance.name}: the core takes whole units")
    problem = to_problem(instance)
    params = RoundParameters(time_limit_s=time_limit, relative_gap=relative_gap, solver=solver,
                             workers=workers)
    solution = solve(problem, params)
    flows = None
    if solution.objective is not None:
        flows = {(pair.line, pair.offer): float(units)
                 for pair, units in zip(problem.pairs, solution.units) if units}
    return CflpOutcome(str(solution.status.value), solution.objective, solution.bound,
                       solution.gap, flows, solution.total_s)
