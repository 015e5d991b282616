"""JSON Schema of every message and file format, for other teams' tooling.

Each schema carries its ``$id`` (``urn:welfare-matching:schema:<Name>``) and,
for an event, the topic it travels on (``x-topic``) and the field whose value
is its record key (``x-record-key``). ``welfare schemas export`` also writes the
AsyncAPI document (``asyncapi.json``) beside them; it is no message schema, so
``read_schemas`` leaves it out.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot
from schemas.topics import TOPIC_OF, TOPICS

SCHEMA_ID = "urn:welfare-matching:schema:{name}"
NOT_A_MESSAGE_SCHEMA = frozenset({"asyncapi.json"})

FILE_FORMATS: tuple[type[BaseModel], ...] = (RoundSnapshot, RoundResult)


def all_models() -> dict[str, type[BaseModel]]:
    models = {m.__name__: m for spec in TOPICS.values() for m in spec.messages}
    models.update({m.__name__: m for m in FILE_FORMATS})
    return dict(sorted(models.items()))


def json_schemas() -> dict[str, dict]:
    # "validation" mode describes what a consumer accepts.
    return {name: _with_identity(name, model, model.model_json_schema(mode="validation"))
            for name, model in all_models().items()}


def _with_identity(name: str, model: type[BaseModel], schema: dict) -> dict:
    identity: dict = {"$id": SCHEMA_ID.format(name=name)}
    topic = TOPIC_OF.get(model)
    if topic is not None:
        identity["x-topic"] = topic
        identity["x-record-key"] = TOPICS[topic].key_field
    return {**identity, **schema}


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def read_schemas(directory: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))
            if p.name not in NOT_A_MESSAGE_SCHEMA}
