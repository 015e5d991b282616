"""The AsyncAPI document as the code declares it: who sends and who receives what.

Each service is built with its composition root (``services/<name>/bootstrap``,
which connects to nothing) and its FastStream broker is read: the topics its
subscribers read and its declared publishers write. FastStream's own AsyncAPI
generator cannot be used as it is: the guarded subscribers take the raw record
(``services.common.consumer``), so it would show empty payloads; the payloads
come from the event models instead (``schemas.asyncapi``).

The programs that are not services are named here, from their modules: the
reference provider listener and the dead-letter tools.
"""

from __future__ import annotations

import functools
import importlib
import json
from pathlib import Path
from typing import Any

from schemas.asyncapi import Participant, asyncapi_document
from schemas.topics import ASSIGNMENTS, DEAD_LETTER, PROVIDER_RESPONSES
from services.common.auth import no_tokens_warning

SERVICES = ("intake", "supply", "matcher", "operator")
DOCUMENT_FILE = "asyncapi.json"

_DESCRIPTIONS = {
    "intake": "Intake: firms' enrolment and their aggregated demand lines.",
    "supply": "Supply: providers' enrolment, their capacity offers, and the answers they give to awards in the console.",
    "matcher": "Matcher: the book, the rounds, the awards and the providers' answers.",
    "operator": "Operator: the network operator's round commands.",
}

# Not FastStream services: what they read and write is fixed in their modules
# (services/provider/listener.py, services/common/dead_letter_tools.py).
OTHER_PARTICIPANTS = {
    "provider": Participant(
        "A provider's consumer (welfare provider listen, or the cooperative's own): reads "
        "its awards and amendments, answers accept or decline.",
        receives=frozenset({ASSIGNMENTS}), sends=frozenset({PROVIDER_RESPONSES})),
    "dead-letter-tools": Participant(
        "welfare dead-letters list/show/replay: what the services set aside.",
        receives=frozenset({DEAD_LETTER})),
}


def service_participant(name: str) -> Participant:
    """Build service ``name`` only to read its broker's subscribers and publishers."""
    from services.common.kafka import KafkaConnection, topics_read, topics_written
    from services.common.settings import Settings

    settings = Settings(kafka_bootstrap="kafka:9092", database_url="sqlite://")
    bootstrap = importlib.import_module(f"services.{name}.bootstrap")
    with no_tokens_warning():
        built = bootstrap.build(settings, KafkaConnection(settings, "kafka:9092"))
    broker = built.broker
    if broker is None:
        return Participant(_DESCRIPTIONS.get(name, name))
    return Participant(_DESCRIPTIONS.get(name, name),
                       receives=frozenset(topics_read(broker)),
                       sends=frozenset(topics_written(broker)))


def participants() -> dict[str, Participant]:
    return {**{name: service_participant(name) for name in SERVICES}, **OTHER_PARTICIPANTS}


@functools.cache
def system_document() -> dict[str, Any]:
    """The whole system's document; built once per process (the code does not change)."""
    return asyncapi_document(participants())


def write_document(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DOCUMENT_FILE
    path.write_text(json.dumps(system_document(), indent=2, sort_keys=True,
                               ensure_ascii=False) + "\n")
    return path
