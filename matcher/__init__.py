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

Read it top-down:

- ``solve.py``: ``solve`` (prepare, decompose, the parts, merge); ``solution.py``:
  ``Solution`` and ``Status``; ``budget.py``: the one ``TimeBudget`` a solve owns and
  hands down.
- ``round/``: ``solve_round`` (``solve_round.py``) indexes the snapshot
  (``from_snapshot.py``, ``compatibility.py``), solves it, and reports contracts,
  firms' outcomes and fairness (``result.py``), why demand went unmet (``reasons.py``,
  ``reasons_change.py``), input hash and versions (``reproducibility.py``).
- ``search/``: how the time is spent. ``decompose.py`` cuts the round into parts,
  ``parallel.py`` sends them to worker processes, ``part.py`` takes one part through
  its life: a first solution (``start.py``, ``heuristic.py``, ``repair.py``), the MIP
  in lexicographic phases (``phases.py``), around the relaxation (``rins.py``) and over
  neighbourhoods of offers (``lns.py``); a part that is a facility location takes a
  Lagrangean bound, which also settles offers for the search (``lagrangean.py``);
  ``quick.py`` answers parts too large for a model in the time; ``part_result.py``
  reads a part's answer.
- ``model/``: what is solved. The input (``problem.py``), pairs nobody can use
  (``prepare.py``), connected markets (``markets.py``); the part's model, built by
  ``build.py`` from ``variables.py``, ``constraints.py`` and ``contract_rows.py`` (one
  function per family) and ``objective.py`` (the objective and its scaling);
  ``integrality.py``; the same rules for a plan given as units, each stated once
  (``rules.py``: used by the repair, ``quick.py`` and the reasons, held against the
  rows in tests); bounds counted without a solver (``ceiling.py``, ``knapsack.py``).
- ``backends/``: the solver-neutral linear model (``linear.py``) and the solvers
  that take it, HiGHS through MathOpt and CP-SAT, each behind the same call.
"""

from matcher.model.problem import Line, Offer, Pair, ProblemData, Tier
from matcher.round.solve_round import solve_round
from matcher.solution import Solution, Status
from matcher.solve import Progress, solve

__all__ = [
    "Line", "Offer", "Pair", "ProblemData", "Progress", "Solution", "Status", "Tier", "solve",
    "solve_round",
]
