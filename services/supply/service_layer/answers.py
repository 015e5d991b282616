"""Answering an award from supply's API: one event on the outbox, nothing else stored.

Supply keeps no copy of awards (the matcher owns them); the event goes out
through supply's transactional outbox like every other event supply writes,
so an answer the API acknowledged is published even if the broker is down
for a while. Whether it applies (the award may have been superseded
meanwhile) is the matcher's to decide; it tells the provider by
``ContractAnswerRefused`` and its read model, which the console shows.
"""

from __future__ import annotations

from pydantic import BaseModel

from schemas.responses import ContractAccepted, ContractDeclined
from services.common.i18n import N_
from services.common.refusals import Invalid, NotFound
from services.supply.adapters import repository as repo
from services.supply.domain.answers import (
    DeclineReason,
    answer_event_id,
    contract_of,
    reason_text,
)
from services.supply.requests import ContractAnswer
from services.supply.service_layer.context import Supply


class AnswerReceipt(BaseModel):
    event_id: str
    event_type: str
    contract_id: str
    entity_version: int


def answer_contract(supply: Supply, provider_id: str, contract_id: str,
                    answer: ContractAnswer) -> AnswerReceipt:
    if contract_of(answer.round_id, provider_id) != contract_id:
        raise NotFound(N_("contract '{contract_id}' is not the contract of provider "
                          "'{provider_id}' in round '{round_id}': check the award's contract "
                          "and round"),
                       contract_id=contract_id, provider_id=provider_id, round_id=answer.round_id)
    accept = answer.answer == "accepted"
    if accept and (answer.reason is not None or answer.note):
        raise Invalid("reason", N_("an acceptance takes no reason; only a decline does"))
    if not accept and answer.reason is None:
        raise Invalid("reason", N_("a decline needs a reason: one of {reasons}"),
                      reasons=", ".join(r.value for r in DeclineReason))
    if answer.reason == DeclineReason.OTHER and not answer.note.strip():
        raise Invalid("note", N_("with the reason 'other', say the reason in the note"))
    with supply.engine.begin() as db:
        found = repo.get_provider(db, provider_id)
        if found is None:
            raise NotFound(N_("provider '{provider_id}' is not enrolled"), provider_id=provider_id)
        common = dict(
            event_id=answer_event_id(contract_id, answer.entity_version, accept),
            network_id=found.network_id, entity_version=answer.entity_version,
            contract_id=contract_id, round_id=answer.round_id, provider_id=provider_id)
        event = (ContractAccepted(**common) if accept else
                 ContractDeclined(**common, reason=reason_text(answer.reason, answer.note)))
        supply.outbox.add(db, event)
    return AnswerReceipt(event_id=str(event.event_id), event_type=event.event_type,
                         contract_id=contract_id, entity_version=event.entity_version)
