"""Public contracts of the welfare matching engine.

Imports nothing but pydantic and the standard library, so that any producer or
consumer (a cooperative's system included) can depend on it alone.
"""

from schemas.assignments import AwardedLine, AwardedOffer, ContractAwarded
from schemas.capacity import (
    CapacityOffer,
    CapacityOffered,
    CapacityWithdrawn,
    PriceTier,
    ProviderEnrolled,
    ProviderProfile,
)
from schemas.dead_letter import MessageDeadLettered
from schemas.demand import DemandLine, DemandSubmitted, DemandWithdrawn, FirmEnrolled, FirmProfile
from schemas.parameters import RoundParameters
from schemas.responses import ContractAccepted, ContractDeclined, LineOfferPair
from schemas.rounds import (
    CommitRound,
    FirmCoverage,
    RoundCompleted,
    RoundFailed,
    RoundStarted,
    RoundSummary,
    StartRound,
)
from schemas.topics import TOPIC_OF, TOPICS, decode, encode, record_key
from schemas.types import Category, Payer, ProviderKind

__all__ = [
    "AwardedLine",
    "AwardedOffer",
    "CapacityOffer",
    "CapacityOffered",
    "CommitRound",
    "CapacityWithdrawn",
    "Category",
    "ContractAccepted",
    "ContractAwarded",
    "ContractDeclined",
    "DemandLine",
    "DemandSubmitted",
    "DemandWithdrawn",
    "FirmCoverage",
    "FirmEnrolled",
    "FirmProfile",
    "LineOfferPair",
    "MessageDeadLettered",
    "Payer",
    "PriceTier",
    "ProviderEnrolled",
    "ProviderKind",
    "ProviderProfile",
    "RoundCompleted",
    "RoundFailed",
    "RoundParameters",
    "RoundStarted",
    "RoundSummary",
    "StartRound",
    "TOPICS",
    "TOPIC_OF",
    "decode",
    "encode",
    "record_key",
]
