"""Awards carry what staffing needs, taken from the frozen snapshot (pure, no I/O)."""

from __future__ import annotations

from decimal import Decimal

from schemas.snapshot import SnapshotProvider
from services.matcher.domain.awards import awards, same_content
from tests.unit.matcher_service.test_awards_and_summary import snapshot
from matcher import solve_round as solve


def named_snapshot(tagged: bool = True):
    """The names of firms and providers; with ``tagged``, a line asking for a tag too."""
    snap = snapshot()
    firms = [f.model_copy(update={"name": f"{f.firm_id.title()} S.r.l."}) for f in snap.firms]
    lines = [line.model_copy(update={"required_tags": ["accessible"]})
             if tagged and line.line_id == "tessile.camp" else line
             for line in snap.demand_lines]
    offers = [o.model_copy(update={"tags": ["accessible"]}) for o in snap.offers]
    providers = [SnapshotProvider(provider_id="gulliver", name="Cooperativa Gulliver"),
                 SnapshotProvider(provider_id="aurora", name=None)]
    return snap.model_copy(update={"firms": firms, "demand_lines": lines, "offers": offers,
                                   "providers": providers})


def test_every_line_names_its_firm_place_category_tags_and_weeks():
    snap = named_snapshot()
    aurora, gulliver = awards(snap, solve(snap, snap.parameters))
    assert gulliver.provider_name == "Cooperativa Gulliver"
    assert aurora.provider_name is None  # not known: readers show the id
    lines = {x.line_id: x for x in gulliver.offers[0].lines}
    tessile = lines["tessile.camp"]
    assert (tessile.firm_id, tessile.firm_name) == ("tessile", "Tessile S.r.l.")
    assert (tessile.municipality, tessile.municipality_name) == ("036023", "Modena (MO)")
    assert (tessile.category, tessile.required_tags) == ("childcare", ["accessible"])
    assert tessile.weeks == ["2027-W27", "2027-W28"]
    assert (tessile.units, tessile.unit_price_eur) == (4, Decimal("100.00"))
    assert lines["ceramiche.camp"].required_tags == []
    (care,) = aurora.offers[0].lines
    assert (care.category, care.firm_name) == ("home_care", "Tessile S.r.l.")


def test_a_snapshot_without_names_awards_ids_only():
    snap = snapshot()
    for award in awards(snap, solve(snap, snap.parameters)):
        assert award.provider_name is None
        assert all(x.firm_name is None and x.municipality_name == "Modena (MO)"
                   for o in award.offers for x in o.lines)


def test_names_alone_do_not_make_an_amendment():
    # Renaming a firm changes nothing to staff: the provider is not told again.
    plain, named = named_snapshot(tagged=False), named_snapshot(tagged=False)
    plain = plain.model_copy(update={"firms": snapshot().firms, "providers": []})
    before = awards(plain, solve(plain, plain.parameters))
    after = awards(named, solve(named, named.parameters))
    assert same_content(before[1].offers, after[1].offers)
    # A tag the line now requires is something to staff: the provider is told.
    tagged = named_snapshot()
    retagged = awards(tagged, solve(tagged, tagged.parameters))
    assert not same_content(after[1].offers, retagged[1].offers)
