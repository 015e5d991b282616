"""The AsyncAPI document: valid against the specification, one channel per topic, real payloads.

The specification's JSON Schema comes from the npm package ``@asyncapi/specs``,
installed once into ``var/asyncapi-specs`` (not committed); nothing else is
fetched. The document tested is the one ``welfare schemas export`` writes.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from schemas.asyncapi import ASYNCAPI_VERSION
from schemas.export import NOT_A_MESSAGE_SCHEMA, read_schemas
from schemas.topics import (
    ASSIGNMENTS,
    CAPACITY,
    DEMAND,
    PROVIDER_RESPONSES,
    ROUND_COMMANDS,
    TOPICS,
)
from services.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = ROOT / "var" / "asyncapi-specs"
SPECS_PACKAGE = "@asyncapi/specs@6.11.1"
SPEC_FILE = (SPECS_DIR / "node_modules" / "@asyncapi" / "specs" / "schemas"
             / f"{ASYNCAPI_VERSION}.json")


@pytest.fixture(scope="module")
def specification() -> dict:
    """The AsyncAPI specification's JSON Schema, from the registry's package."""
    if not SPEC_FILE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"npm is needed once to install {SPECS_PACKAGE} into {SPECS_DIR}")
        SPECS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(SPECS_DIR),
                        SPECS_PACKAGE], check=True, capture_output=True, timeout=300)
    return json.loads(SPEC_FILE.read_text())


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("schemas")
    assert main(["schemas", "export", str(directory)]) == 0
    return directory


@pytest.fixture(scope="module")
def document(exported: Path) -> dict:
    return json.loads((exported / "asyncapi.json").read_text())


def problems(specification: dict, document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(specification)
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(document)]


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        target: object = document
        for step in node["$ref"].removeprefix("#/").split("/"):
            target = target[step]  # type: ignore[index]
        node = target  # type: ignore[assignment]
    return node


def test_the_exported_document_is_valid_asyncapi(specification, document):
    assert document["asyncapi"] == ASYNCAPI_VERSION
    assert problems(specification, document) == []


def test_the_validation_catches_a_broken_document(specification, document):
    # So that the test above cannot pass on a schema that checks nothing.
    broken = copy.deepcopy(document)
    first = next(iter(broken["operations"].values()))
    first["action"] = "publish"  # AsyncAPI 2's word; 3.0 says send or receive
    del broken["info"]["version"]
    assert len(problems(specification, broken)) >= 2


def test_every_topic_is_a_channel_with_a_payload_for_each_of_its_messages(document):
    assert set(document["channels"]) == set(TOPICS)
    for topic, spec in TOPICS.items():
        channel = document["channels"][topic]
        assert channel["address"] == topic
        assert channel["bindings"]["kafka"]["partitions"] == spec.partitions
        assert set(channel["messages"]) == {m.__name__ for m in spec.messages}
        for model in spec.messages:
            message = resolve(document, channel["messages"][model.__name__])
            payload = resolve(document, message["payload"])
            assert payload["type"] == "object"
            assert set(payload["properties"]) == set(model.model_fields), model.__name__
            assert message["bindings"]["kafka"]["key"]["x-key-field"] == spec.key_field


def test_every_reference_in_the_document_resolves(document):
    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(document))
    assert len(found) > 50
    for node in found:
        assert node["$ref"].startswith("#/"), node  # nothing outside the document
        resolve(document, node)  # raises KeyError when it points nowhere


def test_the_operations_say_who_publishes_and_who_subscribes(document):
    said = {(o["x-participant"], o["action"], resolve(document, o["channel"])["address"])
            for o in document["operations"].values()}
    assert {("intake", "send", DEMAND), ("supply", "send", CAPACITY),
            ("operator", "send", ROUND_COMMANDS), ("matcher", "receive", DEMAND),
            ("matcher", "receive", CAPACITY), ("matcher", "receive", ROUND_COMMANDS),
            ("matcher", "send", ASSIGNMENTS), ("provider", "receive", ASSIGNMENTS),
            ("provider", "send", PROVIDER_RESPONSES),
            ("matcher", "receive", PROVIDER_RESPONSES)} <= said
    # Every topic has someone writing it: a channel nobody publishes to is a stale contract.
    assert {topic for _, action, topic in said if action == "send"} == set(TOPICS)


def test_the_json_schemas_carry_their_id_topic_and_record_key(exported):
    schemas = read_schemas(exported)
    assert not NOT_A_MESSAGE_SCHEMA & {f"{name}.json" for name in schemas}
    for topic, spec in TOPICS.items():
        for model in spec.messages:
            schema = schemas[model.__name__]
            assert schema["$id"] == f"urn:welfare-matching:schema:{model.__name__}"
            assert schema["x-topic"] == topic
            assert schema["x-record-key"] == spec.key_field
    assert "x-topic" not in schemas["RoundSnapshot"]  # a file format, on no topic
    assert schemas["RoundSnapshot"]["$id"].endswith(":RoundSnapshot")
