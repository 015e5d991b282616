"""The optimiser: pools demand across firms into group contracts with providers.

It does no I/O and imports nothing from Kafka, SQL, HTTP or metrics
libraries. Two faces:

- ``solve(problem, params) -> Solution`` on an index-based ``ProblemData``
  (the core; a benchmark can build one without any snapshot);
- ``solve_round(snapshot, params) -> RoundResult`` on a ``RoundSnapshot``
  (contracts, unmet demand with reasons, per-firm outcomes, input hash).

A capacitated facility location instance (OR-Library CFLP)::

    from schemas.parameters import RoundParameters
    from matcher import ProblemData, solve

    problem = ProblemData.from_arrays(
        demands=[10, 20],                     # units per customer
        capacities=[25, 25],                  # per facility
        fixed_costs=[100.0, 80.0],            # per facility
        unit_costs=[[1.0, 2.5], [3.0, 1.0]],  # per unit, customer x facility
    )
    solution = solve(problem, RoundParameters(time_limit_s=10, relative_gap=0))
    solution.status, solution.total_cost(problem), solution.units  # units per pair

``solve(problem, params=None, progress=None)``: ``params`` is a
``RoundParameters`` (time limit, relative gap, seed, workers, solver "auto" =
"highs" or "cpsat", decompose); ``progress`` a plain callable that receives
``Progress(parts_done, parts_total, elapsed_s, message)``. A ``Solution``
always comes back: ``status`` (optimal / feasible / infeasible /
no_solution), ``objective``, ``bound``, ``gap``, ``units`` per pair,
``tiers`` per offer, timings; ``total_cost(problem)`` and friends.

Where to read on: ``problem.py`` (the input), ``prepare.py`` (pairs nobody
can use), ``variables.py``, ``constraints.py`` and ``contract_rows.py`` (the
model, one function per family), ``objective.py`` (the objective and its
scaling), ``phases.py`` (lexicographic solving), ``start.py`` and
``heuristic.py`` (first solutions), ``decompose.py`` and ``parallel.py``
(parts and worker processes), ``quick.py`` (parts too large for a model in
the time), ``reasons.py`` (why demand went unmet),
``reproducibility.py`` (input hash, versions).
"""

from matcher.backends.raw import Status
from matcher.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.solution import Solution
from matcher.round import solve_round
from matcher.solve import Progress, solve

__all__ = [
    "Line", "Offer", "Pair", "ProblemData", "Progress", "Solution", "Status", "Tier", "solve",
    "solve_round",
]
