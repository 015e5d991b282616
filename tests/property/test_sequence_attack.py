"""The sequence attack: differencing the releases of welfare.demand.v1.

Hypothesis plays the attacker. It draws a firm's survey and a sequence of
submissions, replacements, withdrawals and whole re-submissions across a few
cells, runs them through intake's real service layer on a real (SQLite)
database, and reads every event intake wrote for the topic (its outbox, the
exact records the relay publishes).

After every operation the attacker holds a snapshot: what each cell's line
says, or that the cell has no line. The test, knowing the truth, marks a
snapshot of a cell *truthful* when its line equals the aggregate of the cell's
answers at that moment: there the attacker could take the figures for the
current answers. Then:

- every line ever shown is, or was at some earlier snapshot, truthful: intake
  never shows figures that no set of answers had;
- any two truthful snapshots of a cell whose lines differ were aggregated
  from answer sets at least k answers apart, so that the difference of two
  releases (units, price, priority, tags, respondents) never isolates fewer
  than k answers, let alone one;
- the same holds for sums over all of a firm's cells (the changes across
  cells are pooled): an employee who moves between two cells is one change.

Breaking the defence (``hold_back`` publishing every fresh aggregate) makes
this fail at once: k answers, then one more, is the k -> k + 1 probe.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from schemas.demand import FirmProfile
from schemas.topics import decode
from services.common.database import make_engine
from services.common.metrics import ServiceMetrics
from services.common.migrations import upgrade
from services.intake.adapters.tables import outbox
from services.intake.bootstrap import MIGRATIONS
from services.intake.domain.aggregation import summarise
from services.intake.domain.answers import SurveyAnswer
from services.intake.domain.cells import Cell
from services.intake.service_layer import firms, survey
from services.intake.service_layer.context import Intake

K = 3  # small, so that short sequences cross the threshold often
PSEUDONYMS = [f"e{i:02d}" for i in range(2 * K + 2)]
CELLS = [  # (category, municipality, weeks)
    ("childcare", "036023", ("2027-W24", "2027-W25")),
    ("home_care", "036023", ("2027-W24",)),
]
TAGS = ["accessible", "bilingual"]
_firm_numbers = itertools.count()


@pytest.fixture(scope="module")
def intake(tmp_path_factory) -> Intake:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('attack') / 'intake.db'}")
    upgrade(engine, MIGRATIONS, "intake")
    yield Intake(engine=engine, outbox=outbox,
                 metrics=ServiceMetrics(CollectorRegistry(), "intake"), k=K)
    engine.dispose()


def answers(pseudonym: str):
    return st.builds(
        lambda cell, units, price, single, dependent, tags: SurveyAnswer(
            pseudonym=pseudonym, category=cell[0], municipality=cell[1], weeks=list(cell[2]),
            units=units, max_unit_price_eur=Decimal(price), single_parent=single,
            dependent_relative=dependent, required_tags=tags),
        st.sampled_from(CELLS), st.integers(1, 4), st.sampled_from(["80.00", "95.50", "120.00"]),
        st.booleans(), st.booleans(), st.lists(st.sampled_from(TAGS), unique=True),
    )


@st.composite
def batches(draw, min_size=1):
    chosen = draw(st.lists(st.sampled_from(PSEUDONYMS), min_size=min_size, max_size=2 * K,
                           unique=True))
    return [draw(answers(p)) for p in chosen]


operations = st.one_of(
    st.tuples(st.just("submit"), batches()),  # new answers, or replacements
    st.tuples(st.just("withdraw"),
              st.lists(st.sampled_from(PSEUDONYMS), min_size=1, max_size=K + 1, unique=True)),
    st.tuples(st.just("resubmit"), batches(min_size=0)),  # the whole survey again
    st.tuples(st.just("withdraw_all"), st.none()),
)


@dataclass(frozen=True)
class Snapshot:
    shown: dict | None  # the line's figures as the attacker sees them, or no line
    answers: dict[str, str]  # truth: pseudonym -> its answer, in the cell now
    truthful: bool  # the line equals the aggregate of those answers


def figures(line) -> dict:
    """What a line says, less its id (keyed with the firm's secret)."""
    return line.model_dump(mode="json", exclude={"line_id"})


def cell_of(shown: dict) -> Cell:
    return Cell(shown["category"], shown["municipality"], tuple(shown["weeks"]))


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def apply(intake: Intake, firm_id: str, operation) -> None:
    kind, argument = operation
    if kind == "submit":
        survey.submit_answers(intake, firm_id, argument)
    elif kind == "resubmit":
        survey.submit_answers(intake, firm_id, argument, replace_all=True)
    elif kind == "withdraw":
        survey.withdraw_answers(intake, firm_id, argument)
    else:
        survey.withdraw_answers(intake, firm_id, None)


def model(truth: dict[str, SurveyAnswer], operation) -> None:
    kind, argument = operation
    if kind == "resubmit" or kind == "withdraw_all":
        truth.clear()
    if kind in ("submit", "resubmit"):
        truth.update({a.pseudonym: a for a in argument})
    if kind == "withdraw":
        for pseudonym in argument:
            truth.pop(pseudonym, None)


def play(intake: Intake, population, sequence) -> list[dict[Cell, Snapshot]]:
    """Run the sequence; the attacker's snapshot of every cell after each step."""
    firm_id = f"acme{next(_firm_numbers)}"
    firms.enrol_firm(intake, "modena", FirmProfile(
        firm_id=firm_id, name="Acme S.r.l.", ateco_sector="C", employees=40,
        welfare_budget_eur=Decimal("9000.00")), may_enrol=True)
    truth: dict[str, SurveyAnswer] = {}
    view: dict[str, dict] = {}  # line id -> figures, for the lines standing
    snapshots = []
    with intake.engine.connect() as db:
        last = select(outbox.table.c.id).order_by(outbox.table.c.id.desc()).limit(1)
        seen = db.execute(last).scalar() or 0
    for operation in [("submit", population), *sequence]:
        apply(intake, firm_id, operation)
        model(truth, operation)
        with intake.engine.connect() as db:
            rows = db.execute(select(outbox.table).where(outbox.table.c.id > seen)
                              .order_by(outbox.table.c.id)).all()
        for row in rows:
            seen = row.id
            event = decode(row.topic, row.value)
            if event.event_type == "DemandSubmitted" and event.firm_id == firm_id:
                view[event.line.line_id] = figures(event.line)
            elif event.event_type == "DemandWithdrawn" and event.firm_id == firm_id:
                view.pop(event.line_id, None)
        shown = {cell_of(f): f for f in view.values()}
        snapshot = {}
        for category, municipality, weeks in CELLS:
            cell = Cell(category, municipality, weeks)
            inside = [a for a in truth.values() if Cell.of(a) == cell]
            fresh = figures(summarise(firm_id, cell, inside, b"-")) if inside else None
            snapshot[cell] = Snapshot(shown.get(cell),
                                      {a.pseudonym: a.model_dump_json() for a in inside},
                                      shown.get(cell) is not None and shown.get(cell) == fresh)
        snapshots.append(snapshot)
    return snapshots


def check(snapshots: list[dict[Cell, Snapshot]]) -> None:
    for cell in snapshots[0]:
        history = [s[cell] for s in snapshots]
        for t, now in enumerate(history):
            if now.shown is not None:  # never figures no set of answers had
                assert any(h.truthful and h.shown == now.shown for h in history[:t + 1])
        truthful = [h for h in history if h.truthful]
        for a, b in itertools.combinations(truthful, 2):
            if a.shown != b.shown:
                apart = changed(a.answers, b.answers)
                assert len(apart) >= K, (
                    f"{cell}: two releases differ by {len(apart)} answers "
                    f"({a.shown} then {b.shown})")
    # Sums over the firm's cells: every cell truthful (or without a line) at both.
    whole = [s for s in snapshots
             if all(h.truthful or h.shown is None for h in s.values())]
    for a, b in itertools.combinations(whole, 2):
        apart: set[str] = set()
        for cell in a:
            if a[cell].shown != b[cell].shown and None not in (a[cell].shown, b[cell].shown):
                apart |= changed(a[cell].answers, b[cell].answers)
        assert not apart or len(apart) >= K


def _childcare(pseudonym: str, units: int) -> SurveyAnswer:
    return SurveyAnswer(pseudonym=pseudonym, category="childcare", municipality="036023",
                        weeks=["2027-W24", "2027-W25"], units=units,
                        max_unit_price_eur=Decimal("80.00"))


_FIRST = [_childcare(p, 1 + i) for i, p in enumerate(PSEUDONYMS[:K])]


@example(  # k answers join, then the survey comes back as the first one plus one:
    # one answer from the first release, so it must be measured from every release.
    population=_FIRST,
    sequence=[("submit", [_childcare(p, 4) for p in PSEUDONYMS[K:2 * K]]),
              ("resubmit", [*_FIRST, _childcare(PSEUDONYMS[2 * K], 3)])])
@settings(max_examples=120, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(population=st.lists(st.sampled_from(PSEUDONYMS), unique=True, min_size=K,
                           max_size=len(PSEUDONYMS)).flatmap(
           lambda names: st.tuples(*(answers(p) for p in names)).map(list)),
       sequence=st.lists(operations, min_size=1, max_size=8))
def test_no_sequence_of_changes_isolates_fewer_than_k_answers(intake, population, sequence):
    check(play(intake, population, sequence))


def test_the_k_to_k_plus_one_probe_publishes_no_difference(intake):
    """The issue's probe: k answers, then one more employee joins."""
    base = [SurveyAnswer(pseudonym=p, category="childcare", municipality="036023",
                         weeks=["2027-W24", "2027-W25"], units=1 + i % 3,
                         max_unit_price_eur=Decimal("90.00"))
            for i, p in enumerate(PSEUDONYMS[:K])]
    joiner = base[0].model_copy(update={"pseudonym": PSEUDONYMS[K], "units": 4})
    snapshots = play(intake, base, [("submit", [joiner])])
    cell = Cell.of(joiner)
    assert snapshots[0][cell].truthful
    assert snapshots[1][cell].shown == snapshots[0][cell].shown  # still the first release
    check(snapshots)
