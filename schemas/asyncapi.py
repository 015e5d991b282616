"""The AsyncAPI 3.0 document of the public topics, from ``schemas.topics`` and the models.

One channel per topic of ``TOPICS`` (its Kafka topic, partitions and record
key), one message per event model with its JSON Schema as the payload, and one
operation per participant and topic: who sends to it and who receives from it.
Who takes part is told by the caller (``services.common.asyncapi`` reads it
from the services' brokers), so this module stays free of I/O and of services.

Payload schemas live under ``components.schemas`` and refer to one another as
``#/components/schemas/<Name>``: a ``$ref`` in an AsyncAPI document resolves
against the document, not against the payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from schemas.topics import TOPICS, TopicSpec

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SCHEMA_REF = "#/components/schemas/{model}"
CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Participant:
    """A program on the topics: what it receives (subscribes to) and sends."""

    description: str
    receives: frozenset[str] = field(default_factory=frozenset)
    sends: frozenset[str] = field(default_factory=frozenset)


def key_description(spec: TopicSpec) -> str:
    """How a topic's records are keyed, in words (DESIGN.md: per-entity ordering)."""
    return (f"The record key is the event's {spec.key_field} (UTF-8): the events of one "
            f"{spec.key_field.removesuffix('_id')} stay in order on one partition.")


def _payload_schemas() -> dict[str, Any]:
    models: list[type[BaseModel]] = [m for spec in TOPICS.values() for m in spec.messages]
    refs, top = models_json_schema([(m, "validation") for m in models], ref_template=SCHEMA_REF)
    schemas = dict(top.get("$defs", {}))
    # Every model is in $defs; refs maps each to its name there.
    names = {model: refs[(model, "validation")]["$ref"].rsplit("/", 1)[-1] for model in models}
    return {"schemas": dict(sorted(schemas.items())), "names": names}


def asyncapi_document(participants: Mapping[str, Participant], *,
                      title: str = "Welfare matching: public topics",
                      version: str = "1") -> dict[str, Any]:
    """The AsyncAPI 3.0 document (a JSON-ready dict) of every topic in ``TOPICS``."""
    payloads = _payload_schemas()
    names: dict[type[BaseModel], str] = payloads["names"]
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic, spec in TOPICS.items():
        key = {"type": "string", "description": key_description(spec),
               "x-key-field": spec.key_field}
        channel_messages = {}
        for model in spec.messages:
            name = names[model]
            messages[name] = {
                "name": name,
                "title": name,
                "summary": _first_line(model.__doc__) or name,
                "contentType": CONTENT_TYPE,
                "payload": {"$ref": SCHEMA_REF.format(model=name)},
                "bindings": {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING_VERSION}},
            }
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[topic] = {
            "address": topic,
            "title": topic,
            "description": f"{', '.join(names[m] for m in spec.messages)}. "
                           f"{key_description(spec)}",
            "messages": channel_messages,
            "bindings": {"kafka": {"topic": topic, "partitions": spec.partitions,
                                   "bindingVersion": KAFKA_BINDING_VERSION}},
            "x-record-key": spec.key_field,
        }
    operations: dict[str, Any] = {}
    for who, participant in sorted(participants.items()):
        for action, topics in (("send", participant.sends), ("receive", participant.receives)):
            for topic in sorted(topics & TOPICS.keys()):
                operations[f"{who}.{action}.{topic}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{topic}"},
                    "title": f"{who} {'publishes to' if action == 'send' else 'reads'} {topic}",
                    "summary": participant.description,
                    "messages": [{"$ref": f"#/channels/{topic}/messages/{names[m]}"}
                                 for m in TOPICS[topic].messages],
                    "x-participant": who,
                }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": title,
            "version": version,
            "description": ("Events of the welfare matching engine. Every record is one JSON "
                            "event; its topic's record key keeps one entity's events in order. "
                            "Consumers must ignore fields they do not know."),
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"messages": dict(sorted(messages.items())),
                       "schemas": payloads["schemas"]},
    }


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n\n", 1)[0].replace("\n", " ").strip()
