"""Which version an offer's next event carries, if it needs one at all.

An offer keeps one version counter for its whole life, withdrawals included,
so that a consumer applying "later versions replace earlier ones" never takes
a re-published offer for a stale one.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.capacity import CapacityOffer


@dataclass(frozen=True)
class StoredOffer:
    offer: CapacityOffer
    version: int  # of the last event about the offer, offered or withdrawn
    standing: bool  # False once withdrawn


def version_to_offer(before: StoredOffer | None, offer: CapacityOffer) -> int | None:
    """The version publishing ``offer`` takes; None when it would change nothing."""
    if before is None:
        return 1
    if before.standing and before.offer == offer:
        return None
    return before.version + 1


def version_to_withdraw(before: StoredOffer) -> int | None:
    """The version withdrawing the offer takes; None when it is already withdrawn."""
    return before.version + 1 if before.standing else None
