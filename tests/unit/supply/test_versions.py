"""An offer's versions: one counter for its whole life, no event for no change."""

from __future__ import annotations

from schemas.examples import examples
from services.supply.domain.versions import StoredOffer, version_to_offer, version_to_withdraw

OFFER = next(m.offer for m in examples() if type(m).__name__ == "CapacityOffered")


def test_a_new_offer_is_version_one_and_a_change_the_next():
    assert version_to_offer(None, OFFER) == 1
    bigger = OFFER.model_copy(update={"capacity_per_week": OFFER.capacity_per_week + 1})
    assert version_to_offer(StoredOffer(OFFER, 3, True), bigger) == 4


def test_an_unchanged_standing_offer_needs_no_event_but_a_withdrawn_one_does():
    assert version_to_offer(StoredOffer(OFFER, 3, True), OFFER) is None
    assert version_to_offer(StoredOffer(OFFER, 3, False), OFFER) == 4


def test_withdrawing_takes_the_next_version_once():
    assert version_to_withdraw(StoredOffer(OFFER, 2, True)) == 3
    assert version_to_withdraw(StoredOffer(OFFER, 3, False)) is None
