"""Properties of intake's aggregation over random surveys (hypothesis).

Attack model tested. The attacker knows:

- every line intake publishes for the firm (its current version: cell,
  respondents, units, price, priority, tags);
- ``FirmEnrolled.employees``, and, as the worst case, that every employee
  answered, so that headcount minus published respondents is the number of
  withheld answers;
- which cells are withheld (as if each were marked "x" in a table, say from
  an earlier version of a line that has since been withdrawn);
- the withholding rule itself (``services.intake.domain.suppression``) and k,
  but not the firm's secret that orders equally small cells.

They look for a withheld cell whose count, or units, only one value fits.
The search is exhaustive: every split of the withheld total over the withheld
cells, kept if the rule, under some order of ties, withholds exactly those
cells. Claims: every published line has at least k respondents; whenever the
firm publishes a line, every withheld cell keeps two or more possible counts;
and nothing about a withheld answer other than its existence (units, price,
flags, tags) changes anything published, so units cannot be derived at all.

Not covered: an attacker comparing a line's versions over time learns what
changed between them (one employee's contribution, if one answer changed).
Publishing each change as it happens, as intake must, makes that inherent. A
firm that publishes no line at all publishes nothing derived from its survey;
the attacker's own assumptions (full response, known cells) are then all
there is, and they may decide a count whatever intake withholds.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import astuple
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from services.intake.domain.aggregation import aggregate
from services.intake.domain.answers import SurveyAnswer
from services.intake.domain.cells import Cell
from services.intake.domain.suppression import withhold

CATEGORIES = ("childcare", "home_care", "babysitting")
MUNICIPALITIES = ("036023", "036040")
WEEK_SETS = (("2027-W24", "2027-W25"), ("2027-W30",), ("2027-W27", "2027-W29"))
CELL_KEYS = [(c, m, w) for c in CATEGORIES for m in MUNICIPALITIES for w in WEEK_SETS]


@st.composite
def surveys(draw, max_cells: int = 6) -> tuple[int, list[SurveyAnswer]]:
    """k and one firm's answers: a few cells of random sizes around k.

    Hypothesis draws what the properties turn on (k, the cells, their sizes);
    each cell's answers are filled in from one drawn seed, which keeps the
    examples cheap.
    """
    k = draw(st.integers(2, 6))
    keys = draw(st.lists(st.sampled_from(CELL_KEYS), min_size=1, max_size=max_cells,
                         unique=True))
    answers: list[SurveyAnswer] = []
    for category, municipality, weeks in keys:
        size, rng = draw(st.integers(1, 2 * k + 2)), random.Random(draw(st.integers(0, 2**32)))
        answers += [random_answer(rng, f"p{len(answers) + i}", category, municipality, weeks)
                    for i in range(size)]
    return k, answers


def random_answer(rng: random.Random, pseudonym: str, category: str, municipality: str,
                  weeks: tuple[str, ...]) -> SurveyAnswer:
    return SurveyAnswer(
        pseudonym=pseudonym, category=category, municipality=municipality, weeks=list(weeks),
        units=rng.randint(1, 9), max_unit_price_eur=Decimal(rng.randint(0, 30_000)) / 100,
        single_parent=rng.random() < 0.3, dependent_relative=rng.random() < 0.3,
        required_tags=[t for t in ("accessible", "meals") if rng.random() < 0.5],
    )


def cell_of_line(line) -> Cell:
    return Cell(line.category.value, line.municipality, tuple(line.weeks))


def compositions(total: int, parts: int, bound: int) -> Iterator[tuple[int, ...]]:
    """Every way to split ``total`` into ``parts`` counts of 1 to ``bound``."""
    if parts == 1:
        if 1 <= total <= bound:
            yield (total,)
        return
    for first in range(1, min(bound, total - parts + 1) + 1):
        for rest in compositions(total - first, parts - 1, bound):
            yield (first, *rest)


def possible_counts(published: dict[Cell, int], withheld: list[Cell], withheld_total: int,
                    k: int) -> dict[Cell, set[int]]:
    """Each withheld cell's counts that fit everything the attacker knows.

    A candidate fits if some order of ties makes the rule withhold exactly the
    withheld cells. Ordering withheld cells first among equals finds such an
    order whenever one exists: the rule takes cells smallest first and stops on
    counts alone, so only which of the equally small cells it takes can vary.
    Secondary cells are at most the smallest published count, primary ones
    below k: no candidate beyond that bound can fit.
    """
    bound = max(k - 1, min(published.values())) if published else withheld_total
    hidden = frozenset(withheld)
    possible: dict[Cell, set[int]] = {cell: set() for cell in withheld}
    for candidate in compositions(withheld_total, len(withheld), bound):
        counts = {**published, **dict(zip(withheld, candidate))}
        if withhold(counts, k, tie_break=lambda cell: cell not in hidden).cells == hidden:
            for cell, n in zip(withheld, candidate):
                possible[cell].add(n)
    return possible


@settings(max_examples=300, deadline=None)
@given(surveys(), st.binary(min_size=1, max_size=8))
def test_no_line_stands_for_fewer_than_k_employees(survey, secret):
    k, answers = survey
    result = aggregate("acme", answers, k, secret)
    assert all(line.respondents >= k for line in result.lines)
    assert sum(line.respondents for line in result.lines) + result.withheld_answers == len(answers)


@settings(max_examples=500, deadline=None)
@given(surveys(), st.binary(min_size=1, max_size=8))
def test_headcount_minus_published_lines_never_pins_a_withheld_cell(survey, secret):
    k, answers = survey
    result = aggregate("acme", answers, k, secret)
    event(f"secondary cells withheld: {result.secondary_cells}")
    if not result.lines or not result.withheld_answers:
        return  # nothing published from the survey (module docstring), or nothing withheld
    published = {cell_of_line(line): line.respondents for line in result.lines}
    withheld = sorted({Cell.of(a) for a in answers} - set(published))
    employees = len(answers)  # worst case: every employee answered
    withheld_total = employees - sum(published.values())
    for cell, counts in possible_counts(published, withheld, withheld_total, k).items():
        true_count = sum(Cell.of(a) == cell for a in answers)
        assert true_count in counts
        assert len(counts) >= 2, f"{cell} can only hold {counts}"


@settings(max_examples=150, deadline=None)
@given(surveys(), st.binary(min_size=1, max_size=8), st.integers(0, 2**32))
def test_withheld_answers_move_nothing_that_is_published(survey, secret, seed):
    k, answers = survey
    before = aggregate("acme", answers, k, secret)
    published = {cell_of_line(line) for line in before.lines}
    rng = random.Random(seed)
    changed = [  # every withheld answer replaced by another in the same cell
        a if Cell.of(a) in published else random_answer(rng, a.pseudonym, *astuple(Cell.of(a)))
        for a in answers
    ]
    renamed = [a.model_copy(update={"pseudonym": f"other-{i}"}) for i, a in enumerate(changed)]
    assert aggregate("acme", renamed, k, secret) == before


def test_every_small_firm_is_protected_exhaustively():
    """All firms of up to four cells, counts up to 2k + 1, k from 2 to 4."""
    for k in (2, 3, 4):
        for sizes in itertools.chain.from_iterable(
                itertools.product(range(1, 2 * k + 2), repeat=m) for m in (1, 2, 3, 4)):
            counts = {Cell("childcare", "036023", (f"2027-W{10 + i}",)): n
                      for i, n in enumerate(sizes)}
            for secret_rank in (lambda c: c.weeks, lambda c: tuple(reversed(c.weeks[0]))):
                hidden = withhold(counts, k, tie_break=secret_rank).cells
                published = {c: n for c, n in counts.items() if c not in hidden}
                if not hidden or not published:
                    continue
                total = sum(counts[c] for c in hidden)
                possible = possible_counts(published, sorted(hidden), total, k)
                assert all(len(v) >= 2 for v in possible.values()), (k, sizes, possible)


def test_a_public_tie_order_would_give_a_cell_away():
    """Why intake keys the tie order with a secret: the smallest case that needs it.

    k = 2, cells a and b with 2 answers, c with 1. The rule withholds c and,
    of a and b, the first in its order. An attacker who knows the order can
    rule out "a holds 1, c holds 2", since the rule would then have taken b
    rather than c; so a holds 2. Not knowing the order, they cannot.
    """
    a, b, c = (Cell("childcare", "036023", (f"2027-W{w}",)) for w in (10, 11, 12))
    counts, k = {a: 2, b: 2, c: 1}, 2
    hidden = withhold(counts, k, tie_break=lambda cell: cell.weeks).cells
    assert hidden == {a, c}
    known_order = {
        candidate for candidate in compositions(3, 2, 2)
        if withhold({b: 2, a: candidate[0], c: candidate[1]}, k,
                    tie_break=lambda cell: cell.weeks).cells == hidden
    }
    assert known_order == {(2, 1)}  # a pinned to 2
    assert possible_counts({b: 2}, [a, c], 3, k) == {a: {1, 2}, c: {1, 2}}
