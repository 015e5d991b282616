"""Backward-compatibility check between two JSON Schemas of one message.

A consumer built on the new schema must still read what producers of the old
one wrote. So it is breaking to remove or rename a required field, to change a
field's type, to narrow an enum, to make an optional field required, or to add
a required field. Adding optional fields is not breaking (consumers ignore
fields they do not know). Value constraints (maximum, pattern, lengths) are not
compared: a bound added to a field (``schemas/limits.py``) refuses only values
no network produces and the services could not store, so no consumer breaks.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def breaking_changes(old: Schema, new: Schema, name: str = "") -> list[str]:
    return _compare(old, old, new, new, name or old.get("title", "$"))


def compare_sets(old: dict[str, Schema], new: dict[str, Schema]) -> list[str]:
    """Breaking changes across a set of schemas keyed by message name."""
    problems = [f"{name}: removed" for name in old if name not in new]
    for name in old.keys() & new.keys():
        problems += breaking_changes(old[name], new[name], name)
    return sorted(problems)


def _resolve(root: Schema, schema: Schema) -> Schema:
    seen = 0
    while "$ref" in schema and seen < 50:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"cannot follow external reference {ref}")
        node: Any = root
        for step in ref[2:].split("/"):
            node = node[step]
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
        seen += 1
    return schema


def _variants(root: Schema, schema: Schema) -> list[Schema]:
    schema = _resolve(root, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [v for option in schema[key] for v in _variants(root, option)]
    return [schema]


def _kind(schema: Schema) -> str:
    if "const" in schema:
        return f"const:{schema['const']!r}"
    if "enum" in schema:
        return "enum"
    kind = schema.get("type", "any")
    return kind if isinstance(kind, str) else "|".join(sorted(kind))


def _compare(old_root: Schema, old: Schema, new_root: Schema, new: Schema, path: str) -> list[str]:
    old_variants = _variants(old_root, old)
    new_variants = _variants(new_root, new)
    new_kinds = {_kind(v): v for v in new_variants}
    problems: list[str] = []
    for variant in old_variants:
        kind = _kind(variant)
        if kind not in new_kinds:
            problems.append(f"{path}: type {kind} is no longer accepted (now {sorted(new_kinds)})")
            continue
        counterpart = new_kinds[kind]
        if kind == "enum":
            lost = set(variant["enum"]) - set(counterpart["enum"])
            if lost:
                problems.append(f"{path}: enum values {sorted(lost)} are no longer accepted")
        elif kind == "object":
            problems += _compare_objects(old_root, variant, new_root, counterpart, path)
        elif kind == "array" and "items" in variant and "items" in counterpart:
            problems += _compare(old_root, variant["items"], new_root, counterpart["items"],
                                 f"{path}[]")
    return problems


def _compare_objects(old_root: Schema, old: Schema, new_root: Schema, new: Schema,
                     path: str) -> list[str]:
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for field in sorted(old_props):
        where = f"{path}.{field}"
        if field not in new_props:
            if field in old_required:
                problems.append(f"{where}: required field removed or renamed")
            continue
        if field in new_required and field not in old_required:
            problems.append(f"{where}: optional field became required")
        problems += _compare(old_root, old_props[field], new_root, new_props[field], where)
    for field in sorted(new_required - set(old_props)):
        problems.append(f"{path}.{field}: new required field (old messages lack it)")
    return problems
