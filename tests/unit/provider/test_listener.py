"""The reference provider listener's choices, on records as Kafka hands them over: no broker."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from schemas.assignments import ContractAmended, ContractAnswerRefused, ContractWithdrawn
from schemas.topics import decode, encode
from services.cli.provider_cmd import describe_award, describe_notice
from services.common.i18n import texts
from services.provider.listener import ProviderListener, Superseded, accept_all
from tests.unit.matcher_service.test_notices import CAMP, award


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list = []

    async def send_and_wait(self, topic, value, key=None, headers=None) -> None:
        self.sent.append(decode(topic, value))


def records(*events) -> list:
    return [SimpleNamespace(key=e.provider_id.encode(), value=encode(e), offset=i)
            for i, e in enumerate(events)]


def amended(provider: str = "gulliver") -> ContractAmended:
    return ContractAmended(network_id="modena", entity_version=1,
                           contract_id=f"r2:{provider}", round_id="r2", provider_id=provider,
                           replaces_contract_id=f"r1:{provider}", replaces_round_id="r1",
                           offers=[CAMP])


def withdrawn(provider: str = "serena") -> ContractWithdrawn:
    return ContractWithdrawn(network_id="modena", entity_version=2,
                             contract_id=f"r1:{provider}", round_id="r1", provider_id=provider,
                             withdrawn_by_round_id="r2", reason="round r2 gives it no contract")


def listener(notices: list) -> ProviderListener:
    return ProviderListener(kafka_options={}, decide=accept_all, on_notice=notices.append)


async def test_a_superseded_award_is_never_answered_what_stands_is():
    notices, producer = [], FakeProducer()
    await listener(notices).handle(records(
        award("r1", "gulliver", CAMP), award("r1", "serena", CAMP), award("r1", "aurora", CAMP),
        amended("gulliver"), withdrawn("serena")), producer)
    assert sorted((type(a).__name__, a.contract_id, a.entity_version)
                  for a in producer.sent) == [
        ("ContractAccepted", "r1:aurora", 2), ("ContractAccepted", "r2:gulliver", 2)]
    superseded = {n.offered.contract_id: n.by.contract_id for n in notices
                  if isinstance(n, Superseded)}
    assert superseded == {"r1:gulliver": "r2:gulliver", "r1:serena": "r1:serena"}
    assert [n.contract_id for n in notices if isinstance(n, ContractWithdrawn)] == ["r1:serena"]


async def test_an_amendment_in_a_later_batch_is_answered_and_the_award_not_again():
    notices, producer = [], FakeProducer()
    provider = listener(notices)
    await provider.handle(records(award("r1", "gulliver", CAMP)), producer)
    await provider.handle(records(award("r1", "gulliver", CAMP), amended()), producer)
    assert [a.contract_id for a in producer.sent] == ["r1:gulliver", "r2:gulliver"]
    assert not notices  # it was answered while it stood; the matcher will say if too late


async def test_a_refusal_is_reported_in_words():
    refusal = ContractAnswerRefused(
        network_id="modena", entity_version=2, contract_id="r1:gulliver", round_id="r1",
        provider_id="gulliver", answer_event_id=uuid.uuid4(), answer="ContractAccepted",
        refusal="superseded", reason="contract r1:gulliver of round r1 was replaced by round r2",
        superseded_by_round_id="r2", current_contract_id="r2:gulliver")
    notices, producer = [], FakeProducer()
    await listener(notices).handle(records(refusal), producer)
    assert notices == [refusal] and producer.sent == []
    assert describe_notice(refusal, texts("en")) == (
        "answer to r1:gulliver refused (superseded): contract r1:gulliver of round r1 was "
        "replaced by round r2")


def test_the_console_names_amendments_withdrawals_and_superseded_awards():
    en = texts("en")
    assert describe_award(amended(), en).startswith(
        "amendment r2:gulliver to gulliver (replaces r1:gulliver)")
    assert "withdrawn by round r2" in describe_notice(withdrawn(), en)
    skipped = Superseded(award("r1", "gulliver", CAMP), amended())
    assert describe_notice(skipped, en) == (
        "award r1:gulliver to gulliver: 1 offer, 2 firm lines, 20 unit-weeks: superseded, "
        "replaced by r2:gulliver of round r2; not answered (an answer would be refused)")
    assert describe_notice(skipped, texts("it")) == (
        "aggiudicazione r1:gulliver a gulliver: 1 offerta, 2 righe di imprese, "
        "20 unità-settimana: superata, sostituita da r2:gulliver del round r2; nessuna "
        "risposta (sarebbe respinta)")
