"""The worker's body and the solver pool, with stand-in optimisers."""

from __future__ import annotations

import pytest

from schemas.result import RoundResult
from services.matcher.adapters.worker import SolverFailed, SolverPool, resolve, solve_json
from tests.unit.matcher_service.standin import FAILING, GREEDY, greedy
from tests.unit.matcher_service.test_awards_and_summary import snapshot


def test_solve_json_round_trips_through_text():
    text = solve_json(GREEDY, snapshot().model_dump_json())
    result = RoundResult.model_validate_json(text)
    assert result.round_id == "r1" and result.timings is not None


def test_a_raising_optimiser_becomes_a_solver_failure_naming_the_error():
    with pytest.raises(SolverFailed, match="ArithmeticError: the model blew up"):
        solve_json(FAILING, snapshot().model_dump_json())


def test_references_resolve_to_functions():
    assert resolve(GREEDY) is greedy


async def test_the_pool_solves_in_another_process_and_reports_failures():
    pool = SolverPool(GREEDY)
    try:
        result, seconds = await pool.solve(snapshot().model_dump_json(), 10)
        assert result.status.value in ("optimal", "feasible") and seconds > 0
        pool.reference = FAILING
        with pytest.raises(SolverFailed, match="ArithmeticError"):
            await pool.solve(snapshot().model_dump_json(), 10)
    finally:
        pool.close()
