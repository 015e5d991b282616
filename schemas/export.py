"""JSON Schema of every message and file format, for other teams' tooling."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.result import RoundResult
from schemas.snapshot import RoundSnapshot
from schemas.topics import TOPICS

FILE_FORMATS: tuple[type[BaseModel], ...] = (RoundSnapshot, RoundResult)


def all_models() -> dict[str, type[BaseModel]]:
    models = {m.__name__: m for spec in TOPICS.values() for m in spec.messages}
    models.update({m.__name__: m for m in FILE_FORMATS})
    return dict(sorted(models.items()))


def json_schemas() -> dict[str, dict]:
    # "validation" mode describes what a consumer accepts.
    return {name: model.model_json_schema(mode="validation") for name, model in all_models().items()}


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def read_schemas(directory: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))}
