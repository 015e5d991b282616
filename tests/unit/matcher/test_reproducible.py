"""Same snapshot, parameters and seed: the same result file; parts add up to the whole."""

from __future__ import annotations

import math

import pytest

from matcher.round.reproducibility import input_hash
from tests.unit.matcher.rounds import random_round


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_input_gives_the_same_file(solved, seed):
    snap = random_round(seed, lines=16, offers=7)
    first, second = solved(snap), solved(snap)
    assert first.status.value == "optimal"
    assert first.to_file_json() == second.to_file_json()
    assert first.input_hash == input_hash(snap, snap.parameters)
    assert "timings" not in first.to_file_json() and first.timings is not None


def test_the_input_hash_covers_the_parameters():
    snap = random_round(3)
    other = snap.parameters.model_copy(update={"seed": 7})
    assert input_hash(snap, snap.parameters) != input_hash(snap, other)


@pytest.mark.parametrize("seed", range(8))
def test_decomposed_equals_monolithic(solved, seed):
    snap = random_round(seed)
    whole = solved(snap, decompose=False)
    parts = solved(snap, decompose=True)
    assert whole.status.value == parts.status.value == "optimal"
    assert math.isclose(whole.objective, parts.objective, rel_tol=1e-9, abs_tol=1e-6)
    assert whole.totals.served_unit_weeks == parts.totals.served_unit_weeks


def test_parts_in_worker_processes_give_the_same_answer(solved):
    snap = random_round(11, lines=14, offers=8, tight_budgets=False)
    alone = solved(snap, workers=1)
    pooled = solved(snap, workers=2)
    assert pooled.parts > 1 and pooled.status.value == "optimal"
    ignore = {"input_hash", "parameters"}  # the parameters name the workers
    assert alone.model_dump(exclude=ignore | {"timings"}) == pooled.model_dump(
        exclude=ignore | {"timings"})


def test_cpsat_reaches_the_same_optimum(solved):
    snap = random_round(5)
    highs, cpsat = solved(snap, solver="highs"), solved(snap, solver="cpsat")
    assert math.isclose(highs.objective, cpsat.objective, rel_tol=1e-6)
    assert cpsat.solver.name == "cpsat"
