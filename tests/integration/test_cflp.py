"""OR-Library capacitated facility location: the reader, and the optimiser's pooling core
solving cap41 and cap71 to their published optima.

Each optimiser answer is also checked by an independent CFLP evaluation
(every customer's demand served, capacities respected, cost recomputed from
the instance file), so a wrong objective cannot hide behind a right number.
"""

from __future__ import annotations

import pytest

from tests.support import orlib

TINY = """2 3
 10 100.
 capacity 50.
 4 8.0 12.0
 6 6.0
 3.0
 5 10.0 20.0
"""


def test_parse_reads_facilities_and_customers():
    instance = orlib.parse_cflp(TINY, "tiny", capacity=7)
    assert instance.capacities == (10.0, 7.0)
    assert instance.fixed_costs == (100.0, 50.0)
    assert instance.demands == (4.0, 6.0, 5.0)
    assert instance.costs[1] == (6.0, 3.0)  # costs may wrap onto the next line
    assert instance.unit_cost(0, 1) == 3.0  # 12 for all 4 units


def test_parse_refuses_a_missing_capacity_or_a_short_file():
    with pytest.raises(ValueError, match="needs a capacity"):
        orlib.parse_cflp(TINY, "tiny")
    with pytest.raises(ValueError, match="expected"):
        orlib.parse_cflp(TINY.replace("20.0", ""), "tiny", capacity=7)


def test_every_instance_file_parses():
    for name in orlib.SMALL_NAMES:
        instance = orlib.load(name)
        assert instance.facilities in (16, 25, 50) and instance.customers == 50
    instance = orlib.load("capb", capacity=5000)
    assert (instance.facilities, instance.customers) == (100, 1000)
    assert set(instance.capacities) == {5000.0}


def test_published_optima_table():
    optima = orlib.published_optima()
    assert len(optima) == 37 + 12
    assert optima["cap41"].optimum == 1040444.375
    assert optima["cap134"].optimum == 928941.75
    assert optima["capa-8000"].optimum == 19240822.449
    assert optima["capc-7250"] == orlib.PublishedOptimum("capc", 7250.0, 11505767.394)
    assert set(orlib.SMALL_NAMES) <= set(optima)


def test_evaluate_recomputes_cost_and_finds_violations():
    instance = orlib.parse_cflp(TINY, "tiny", capacity=7)
    flows = {(0, 0): 4.0, (1, 0): 6.0, (2, 1): 5.0}
    good = orlib.evaluate(instance, flows)
    assert good.problems == []
    assert good.cost == pytest.approx(100 + 50 + 8 + 6 + 20)
    assert good.open_facilities == 2
    bad = orlib.evaluate(instance, {(0, 0): 4.0, (1, 0): 6.0, (2, 0): 4.0})
    assert any("above capacity" in p for p in bad.problems)
    assert any("customer 2" in p for p in bad.problems)


# ----------------------------------------------------------------- the optimiser


@pytest.mark.parametrize("name", ["cap41", "cap71"])
def test_solved_to_the_published_optimum(name):
    instance = orlib.load(name)
    optimum = orlib.published_optima()[name].optimum
    outcome = orlib.solve_cflp(instance, time_limit=60.0, relative_gap=0.0)
    assert outcome.status == "optimal"
    assert abs(outcome.objective - optimum) / optimum <= 1e-6, (outcome.objective, optimum)
    checked = orlib.evaluate(instance, outcome.flows)
    assert checked.problems == []
    assert abs(checked.cost - optimum) / optimum <= 1e-6, (checked.cost, optimum)
    assert outcome.bound is not None and outcome.bound <= outcome.objective * (1 + 1e-9)
