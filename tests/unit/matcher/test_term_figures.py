"""Issue 11: the coverage term's own bound and the fairness figure, in the result and in
the ``welfare solve`` summary, in Italian and English.

The round: f1 asks 5 units and is served whole; f2 asks 5 but its budget pays for 3;
f3's line is in a town no offer serves, so it is left out of the fairness figure
(its 0 % says nothing about the plan).
"""

from __future__ import annotations

import pytest

import matcher
from schemas.result import SolveStatus
from services.cli.coverage_bound import coverage_ceiling
from services.cli.solve_cmd import summary
from tests.unit.matcher.rounds import OTHER_TOWN, line, offer, snapshot

SNAP = snapshot([line("a", "f1", 5), line("b", "f2", 5), line("c", "f3", 5,
                                                                 municipality=OTHER_TOWN)],
                [offer("camp", 10, weeks=("2027-W27",))], budgets={"f2": "300"})


@pytest.fixture(scope="module")
def result():
    return matcher.solve_round(SNAP)


def test_the_result_carries_the_fairness_figure(result):
    f = result.fairness
    assert (f.least_covered_firm_id, f.least_coverage) == ("f2", 0.6)
    assert (f.most_covered_firm_id, f.most_coverage) == ("f1", 1.0)
    assert f.spread == pytest.approx(0.4) and f.firms == 2  # f3 cannot be served


def test_the_result_carries_the_coverage_ceiling_the_bound_proves(result):
    assert result.status.value == "optimal"
    # Proven optimal: nothing more could be served; the same figure the CLI computes
    # again from the snapshot.
    assert result.coverage_ceiling == pytest.approx(result.totals.weighted_coverage)
    assert result.coverage_ceiling == pytest.approx(coverage_ceiling(SNAP, result))


@pytest.mark.parametrize("lang, text", [
    ("en", "fairness: of the 2 firms some offer can serve, the least covered is f2 at "
           "60.0%, the most covered f1 at 100.0%: a spread of 40.0 points"),
    ("it", "equità: delle 2 imprese che qualche offerta può servire, la meno coperta è f2 "
           "(60,0%), la più coperta f1 (100,0%): una differenza di 40,0 punti"),
])
def test_the_summary_says_the_fairness_figure(result, lang, text):
    assert text in summary(result, lang).splitlines()


@pytest.mark.parametrize("lang, quality, gap", [
    ("en", "quality not proven within the time: at most 20% more could be served "
           "(priority-weighted coverage 53.3%, at most 64.0%)",
     "gap on the whole objective (coverage, fairness, cost and change together): 2.00%"),
    ("it", "qualità non dimostrata nel tempo disponibile: si potrebbe servire al più il 20% "
           "in più (copertura ponderata per priorità 53,3%, al massimo 64,0%)",
     "scarto sull'intero obiettivo (copertura, equità, costo e cambiamenti insieme): 2,00%"),
])
def test_the_coverage_gap_is_said_apart_from_the_whole_objective(result, lang, quality, gap):
    """A time-limited result read without its snapshot: the coverage ceiling it carries
    gives the first term's gap in words, and the whole objective's gap comes apart."""
    stopped = result.model_copy(update={"status": SolveStatus.FEASIBLE, "gap": 0.02,
                                        "coverage_ceiling": 0.64})
    lines = summary(stopped, lang).splitlines()
    assert lines[0].endswith(quality)
    assert lines[1] == "  " + gap
