"""The quality of a solve in words: never an unexplained percentage."""

from __future__ import annotations

from services.common.i18n import texts
from services.common.i18n.quality import SolveFigures, describe, objective_gap

IT, EN = texts("it"), texts("en")


def figures(status="feasible", objective=-1000.0, bound=-1120.0, gap=0.12, served=0.5,
            ceiling=None, tolerance=0.005):
    return SolveFigures(status=status, objective=objective, bound=bound, gap=gap,
                        tolerance=tolerance, weighted_coverage=served, coverage_ceiling=ceiling)


def test_proven_optimal_is_the_best_possible_plan():
    assert describe(EN, figures("optimal", gap=0.0)) == "the best possible plan"
    assert describe(IT, figures("optimal", gap=None, bound=None)) == "il miglior piano possibile"


def test_optimal_within_a_tolerance_says_so_instead_of_a_bare_gap():
    # "optimal, proven gap 0.4%" read as a contradiction.
    assert describe(EN, figures("optimal", gap=0.004)) == (
        "a plan proven within the tolerance asked for (0.5%) of the best possible")


def test_a_weak_bound_says_how_much_more_could_be_served():
    assert describe(EN, figures(ceiling=0.56)) == (
        "quality not proven within the time: at most 12% more could be served "
        "(priority-weighted coverage 50.0%, at most 56.0%)")
    assert describe(IT, figures(ceiling=0.56)) == (
        "qualità non dimostrata nel tempo disponibile: si potrebbe servire al più il 12% in più "
        "(copertura ponderata per priorità 50,0%, al massimo 56,0%)")


def test_without_the_exact_ceiling_it_is_estimated_from_the_whole_gap():
    # Coverage first: the rest of L is >= 0, so served x (1 + gap) over-states the ceiling.
    assert describe(EN, figures(gap=0.12, served=0.5)).startswith(
        "quality not proven within the time: at most 12% more could be served")


def test_a_very_weak_bound_is_called_weak_not_a_huge_percentage():
    # A 10k solve printed "gap 567.867%" to an operator.
    text = describe(EN, figures(gap=5.67867, served=0.12))
    assert "567" not in text
    assert text == ("quality not proven within the time, and the bound is weak: it only proves "
                    "that no plan reaches more than 80.1% priority-weighted coverage "
                    "(this one: 12.0%)")


def test_coverage_proven_but_not_the_rest():
    assert describe(EN, figures(ceiling=0.5, gap=0.001)) == (
        "no plan could serve more; cost and fairness were not proven the best within the time")


def test_no_bound_no_plan_and_no_way():
    assert describe(EN, figures(bound=None, gap=None)) == (
        "quality not proven within the time: no bound was found, so how much more could be "
        "served is not known")
    assert describe(EN, figures("no_solution", None, None, None, None)) == (
        "the time limit came before any plan was found")
    assert describe(IT, figures("infeasible", None, None, None, None)) == (
        "nessun piano mantiene tutti i contratti accettati rispettando le regole del round")
    # Nothing earned: L's gap says nothing about coverage.
    assert describe(EN, figures(objective=50.0, gap=20.0, served=0.0)) == (
        "quality not proven within the time: how much more could be served is not known")
    assert describe(EN, figures(objective=50.0, served=0.0, ceiling=0.3)) == (
        "quality not proven within the time: nothing was served, and no plan reaches more "
        "than 30.0% priority-weighted coverage")


def test_the_whole_objectives_gap_apart_and_only_when_it_means_something():
    assert objective_gap(EN, figures(ceiling=0.5, gap=0.0123)) == (
        "gap on the whole objective (coverage, fairness, cost and change together): 1.23%")
    assert objective_gap(EN, figures(gap=0.0123)) is None  # the estimate already is this gap
    assert objective_gap(EN, figures(ceiling=0.9, gap=5.67)) is None  # beyond 100%: noise
    assert objective_gap(EN, figures(ceiling=0.5, objective=10.0)) is None  # nothing earned
    assert objective_gap(EN, figures(ceiling=0.5, gap=0.0)) is None
