"""The benchmark's monolithic baselines: one model, solved as the solver alone solves it.

On a 10-line home-care round (HiGHS proves it in about 0.4 s, CP-SAT in 0.35 s) the
``highs`` and ``cpsat`` methods must give a result the independent checker accepts,
say which solver made it, and HiGHS must prove the optimum within the relative gap.
At the default (lexicographic) weights they make two backend calls, as phases.py
makes them for a part: coverage alone first, with no hint and at most phase 1's
share of all the time left, then the rest of L at that coverage from the first's
solution; at weights that are not lexicographic, and for the ``-sum`` rows, one call
on L. Fractional flows are not a plan, the solver's "optimal" is not taken on trust,
and the result is what ``solve_round`` would report for the same solution.
"""

from __future__ import annotations

import time

import pytest

from matcher.backends.raw import RawResult
from matcher.budget import TimeBudget
from matcher.model.build import build
from matcher.model.markets import line_markets, pieces
from matcher.model.objective import compute_scale, coverage_counts
from matcher.model.prepare import prepare
from matcher.round import solve_round as solve_round_module
from matcher.round.from_snapshot import index_round
from matcher.search.phases import PHASE_ONE_SHARE
from matcher.solution import Status
from schemas.result import SolveStatus
from tests.benchmarks import bench_rounds, monolithic
from tests.benchmarks.families import generate
from tests.support.checker import check

LIMIT = 3.0


@pytest.fixture(scope="module")
def snapshot():
    return generate("homecare", 10, seed=7)


@pytest.fixture(scope="module")
def params(snapshot):
    return snapshot.parameters.model_copy(update={"time_limit_s": LIMIT})


@pytest.fixture(scope="module")
def model(snapshot, params):
    """The whole round's model as the baseline builds it, and its coverage counts."""
    prep = prepare(index_round(snapshot, params).problem)
    scale = compute_scale(prep, pieces(prep, line_markets(prep)))
    assert scale.lexicographic(params), "the default weights are lexicographic"
    m, c = build(prep, scale, params)
    return m, coverage_counts(prep, c)


def _run(snapshot, params, solver, **kw):
    """Solve with ``solver``, recording every backend call: its objective and offset,
    its rows' names, the seconds it had and its hint."""
    calls = []
    real = monolithic.run_backend

    def recording(m, call_params, time_limit, hint=None):
        calls.append({"solver": call_params.solver, "cost": list(m.cost), "offset": m.offset,
                      "rows": list(m.row_family), "last_lower": m.row_lower[-1],
                      "left": TimeBudget.of(time_limit).remaining(), "hint": hint,
                      "at": time.perf_counter()})
        raw = real(m, call_params, time_limit, hint)
        calls[-1]["values"], calls[-1]["objective"] = raw.values, raw.objective
        return raw

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monolithic, "run_backend", recording)
        started = time.perf_counter()
        result = monolithic.solve_monolithic(snapshot, params, solver, **kw)
        took = time.perf_counter() - started
    return result, calls, took, started


@pytest.fixture(scope="module")
def highs(snapshot, params):
    return _run(snapshot, params, "highs")


@pytest.fixture(scope="module")
def cpsat(snapshot, params):
    return _run(snapshot, params, "cpsat")


def test_highs_proves_the_small_round_optimal_and_the_checker_accepts_it(snapshot, highs):
    result, _, _, _ = highs
    assert check(snapshot, result) == []
    assert result.solver.name == "highs" and "highs" in result.solver.version
    assert result.status == SolveStatus.OPTIMAL
    assert result.gap is not None and result.gap <= result.parameters.relative_gap
    assert result.contracts, "the optimum of this round serves someone"
    assert result.parts == 1 and "two HiGHS calls (lexicographic" in result.message


def test_cpsat_answers_as_cpsat_and_the_checker_accepts_it(snapshot, cpsat):
    result, _, _, _ = cpsat
    assert check(snapshot, result) == []
    assert result.solver.name == "cpsat" and "cp-sat" in result.solver.version
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.contracts and "two CP-SAT calls" in result.message


@pytest.mark.parametrize("which", ["highs", "cpsat"])
def test_coverage_alone_first_then_the_rest_at_that_coverage(which, model, request):
    result, calls, took, started = request.getfixturevalue(which)
    m, counts = model
    assert [call["solver"] for call in calls] == [which, which]
    first, second = calls
    # Phase 1: the coverage counts alone, maximised; no hint; its share of all the time
    # left (indexing and building 10 lines take milliseconds, the result's reserve,
    # solve_round.after_search, about 0.06 s of the 3 s).
    assert first["cost"] == [-float(counts.get(col, 0)) for col in range(m.num_cols)]
    assert first["offset"] == 0.0 and "coverage_kept" not in first["rows"]
    assert first["hint"] is None
    assert PHASE_ONE_SHARE * (LIMIT - 0.5) < first["left"] <= PHASE_ONE_SHARE * LIMIT
    # Phase 2: L's offset, one more row keeping that coverage, phase 1's solution as its
    # start, and all that is left of the same budget.
    assert second["offset"] == m.offset and second["rows"][-1] == "coverage_kept"
    assert second["rows"][:-1] == first["rows"]
    assert second["last_lower"] == round(-first["objective"]) > 0  # phase 1's coverage
    assert second["hint"] == first["values"]
    assert second["left"] <= LIMIT - (second["at"] - started)
    assert second["left"] > LIMIT - 0.5 - (second["at"] - started)
    assert took < LIMIT + 0.5
    assert result.parameters.solver == which and result.parameters.decompose is False


@pytest.mark.parametrize("which", ["highs", "cpsat"])
def test_the_sum_rows_make_one_call_on_the_weighted_objective(snapshot, params, model,
                                                              which):
    result, calls, _, _ = _run(snapshot, params, which, weighted_sum=True)
    m, _ = model
    assert len(calls) == 1 and calls[0]["hint"] is None
    assert calls[0]["cost"] == list(m.cost) and calls[0]["offset"] == m.offset
    assert calls[0]["left"] > LIMIT - 0.5
    assert check(snapshot, result) == [] and "call on L as one weighted sum" in result.message


def test_weights_that_are_not_lexicographic_get_one_call_on_L(snapshot, params):
    # Coverage worth a hundredth of the rest: no longer strictly first, so the two
    # phases would not solve L; PartSolver makes one call then, and so does the baseline.
    weak = params.model_copy(update={"coverage_weight": 0.01})
    prep = prepare(index_round(snapshot, weak).problem)
    assert not compute_scale(prep, pieces(prep, line_markets(prep))).lexicographic(weak)
    result, calls, _, _ = _run(snapshot, weak, "highs")
    assert len(calls) == 1 and "coverage_kept" not in calls[0]["rows"]
    assert "one HiGHS call" in result.message and check(snapshot, result) == []


def test_fractional_flows_are_no_plan(snapshot, params, monkeypatch):
    # A time-limited answer whose every column sits at 0.5 (both phases): flows off a vertex.
    def halves(m, call_params, time_limit, hint=None):
        return RawResult(Status.FEASIBLE, 0.0, -1e12, [0.5] * m.num_cols)

    monkeypatch.setattr(monolithic, "run_backend", halves)
    result = monolithic.solve_monolithic(snapshot, params, "highs")
    assert result.status == SolveStatus.NO_SOLUTION
    assert not result.contracts and result.objective is None
    assert "fractional" in result.message
    assert check(snapshot, result) == []


@pytest.mark.parametrize("weighted_sum, calls", [(False, 2), (True, 1)])
def test_optimal_only_where_the_bound_proves_it_whatever_the_solver_says(
        snapshot, params, monkeypatch, weighted_sum, calls):
    # Serving nothing, called optimal by the backend (in each phase) with a figure of its
    # own (0) and a bound far below: the plan's own L is reported (every piece's fairness
    # penalty, the offset of L, which phase 2 has), and it is not proven.
    offsets = []

    def claims(m, call_params, time_limit, hint=None):
        offsets.append(m.offset)
        return RawResult(Status.OPTIMAL, 0.0, -1e12, [0.0] * m.num_cols)

    monkeypatch.setattr(monolithic, "run_backend", claims)
    result = monolithic.solve_monolithic(snapshot, params, "highs", weighted_sum=weighted_sum)
    assert len(offsets) == calls
    assert result.objective == pytest.approx(offsets[-1], rel=1e-12) and offsets[-1] > 0
    assert result.status == SolveStatus.FEASIBLE
    assert result.gap > result.parameters.relative_gap
    assert check(snapshot, result) == []


def test_the_result_is_what_solve_round_reports_for_the_same_solution(snapshot, params,
                                                                      monkeypatch):
    # The baseline's Solution handed to solve_round must give the very same result:
    # one assembly (solve_round.round_result), with the baseline's parameters.
    found = []
    real = monolithic.solve_whole

    def keeping(*args, **kw):
        found.append(real(*args, **kw))
        return found[-1]

    monkeypatch.setattr(monolithic, "solve_whole", keeping)
    ours = monolithic.solve_monolithic(snapshot, params, "highs")
    monkeypatch.setattr(solve_round_module, "solve_prepared", lambda *args, **kw: found[0])
    theirs = solve_round_module.solve_round(snapshot, ours.parameters)
    assert ours.parameters.solver == "highs" and ours.contracts
    assert ours.model_dump(exclude={"timings"}) == theirs.model_dump(exclude={"timings"})


@pytest.mark.parametrize("method, words", [("highs", "two HiGHS calls"),
                                           ("highs-sum", "one HiGHS call on L")])
def test_the_benchmark_runs_the_baselines_for_its_solver_rows(snapshot, tmp_path, method,
                                                              words):
    path = tmp_path / "snapshot.json"
    path.write_text(snapshot.model_dump_json())
    figures = bench_rounds.run_method(method, path, LIMIT, tmp_path / "result.json")
    assert figures["solver"].startswith("highs") and figures["parts"] == 1
    assert words in (tmp_path / "result.json").read_text()
