"""What a repair round tells providers: the new awards against the contracts they hold."""

from __future__ import annotations

from decimal import Decimal

from schemas.assignments import AwardedLine, AwardedOffer, ContractAwarded
from services.matcher.domain.awards import Standing, notices, same_content
from services.matcher.domain.ids import award_event_id, withdrawal_event_id


def offer(offer_id: str, *lines: tuple[str, int], price: str = "100.00") -> AwardedOffer:
    return AwardedOffer(
        offer_id=offer_id, tier_index=0, unit_price_eur=price,
        volume_unit_weeks=sum(units for _, units in lines) * 2,
        running_weeks=["2027-W27", "2027-W28"], fixed_cost_eur="0.00",
        lines=[AwardedLine(firm_id="f", line_id=line, units=units,
                           weeks=["2027-W27", "2027-W28"], unit_price_eur=price,
                           cost_eur=Decimal(price) * units * 2) for line, units in lines])


def award(round_id: str, provider: str, *offers: AwardedOffer) -> ContractAwarded:
    contract = f"{round_id}:{provider}"
    return ContractAwarded(event_id=award_event_id(contract), network_id="modena",
                           entity_version=1, contract_id=contract, round_id=round_id,
                           provider_id=provider, offers=list(offers))


def held(provider: str, *offers: AwardedOffer, response: str | None = "accepted",
         told: str = "r1", version: int = 2) -> Standing:
    return Standing(contract_id=f"r1:{provider}", told_contract_id=f"{told}:{provider}",
                    told_round_id=told, provider_id=provider, offers=tuple(offers),
                    response=response, version=version)


CAMP = offer("camp", ("a", 6), ("b", 4))


def test_an_unchanged_contract_is_not_sent_again_and_carries_on():
    told = notices([award("r2", "gulliver", CAMP)], {"gulliver": held("gulliver", CAMP)},
                   "modena", "r2")
    assert told.events == []
    assert told.unchanged == {"r2:gulliver": held("gulliver", CAMP)}
    assert not told.amended and not told.withdrawn


def test_an_unanswered_unchanged_award_stands_too():
    before = held("gulliver", CAMP, response=None, version=1)
    told = notices([award("r2", "gulliver", CAMP)], {"gulliver": before}, "modena", "r2")
    assert told.events == [] and told.unchanged == {"r2:gulliver": before}


def test_a_changed_contract_goes_out_as_an_amendment_of_the_contract_the_provider_knows():
    more = offer("camp", ("a", 6), ("b", 4), ("c", 3))
    before = held("gulliver", CAMP, told="r0")  # r1 kept r0's contract unchanged
    told = notices([award("r2", "gulliver", more)], {"gulliver": before}, "modena", "r2")
    (amended,) = told.events
    assert type(amended).__name__ == "ContractAmended"
    assert (amended.contract_id, amended.round_id, amended.entity_version) == (
        "r2:gulliver", "r2", 1)
    assert (amended.replaces_contract_id, amended.replaces_round_id) == ("r0:gulliver", "r0")
    assert amended.offers == [more]
    assert amended.event_id == award_event_id("r2:gulliver")  # it announces r2:gulliver
    assert told.amended == {"r2:gulliver": before} and not told.unchanged


def test_a_dropped_contract_is_withdrawn_and_a_new_provider_is_awarded():
    aurora = award("r2", "aurora", offer("care", ("c", 10)))
    told = notices([aurora], {"gulliver": held("gulliver", CAMP, version=3)}, "modena", "r2")
    awarded, withdrawn = told.events
    assert awarded == aurora
    assert type(withdrawn).__name__ == "ContractWithdrawn"
    assert (withdrawn.contract_id, withdrawn.round_id, withdrawn.withdrawn_by_round_id) == (
        "r1:gulliver", "r1", "r2")
    assert withdrawn.entity_version == 4  # after the provider's last answer
    assert withdrawn.event_id == withdrawal_event_id("r1:gulliver", "r2")
    assert "r2" in withdrawn.reason and told.withdrawn == [held("gulliver", CAMP, version=3)]


def test_everything_withdrawn_when_the_round_awards_nothing():
    told = notices([], {"gulliver": held("gulliver", CAMP)}, "modena", "r2")
    assert [e.network_id for e in told.events] == ["modena"]


def test_the_same_content_is_any_order_and_every_price_unit_and_week_counts():
    swapped = offer("camp", ("b", 4), ("a", 6))
    assert same_content([CAMP, offer("care", ("c", 1))], [offer("care", ("c", 1)), swapped])
    assert not same_content([CAMP], [offer("camp", ("a", 6), ("b", 5))])  # units
    assert not same_content([CAMP], [offer("camp", ("a", 6), ("b", 4), price="90.00")])
    assert not same_content([CAMP], [offer("camp", ("a", 6))])  # a line dropped
    assert not same_content([CAMP], [CAMP, offer("care", ("c", 1))])  # an offer added
    later = CAMP.model_copy(update={"running_weeks": ["2027-W28", "2027-W29"]})
    assert not same_content([CAMP], [later])
    assert same_content([CAMP], [CAMP.model_copy(update={"unit_price_eur": Decimal("100.0")})])


def _staffed(offer_: AwardedOffer, **fields) -> AwardedOffer:
    first, *rest = offer_.lines
    return offer_.model_copy(update={"lines": [first.model_copy(update=fields), *rest]})


def test_a_line_moved_or_retagged_under_the_same_id_is_an_amendment():
    placed = _staffed(CAMP, municipality="036023", category="childcare", required_tags=["meals"])
    assert same_content([placed], [placed])
    assert not same_content([placed], [_staffed(placed, municipality="036005")])
    assert not same_content([placed], [_staffed(placed, required_tags=["meals", "disability"])])
    assert not same_content([placed], [_staffed(placed, category="babysitting")])
    # An award stored before lines carried where and what: nothing to compare.
    assert same_content([CAMP], [placed])
