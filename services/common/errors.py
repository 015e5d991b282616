"""Turning validation failures into one readable line that names the field."""

from __future__ import annotations

from pydantic import ValidationError


def describe(exc: ValidationError, limit: int = 3) -> str:
    """``line.municipality: String should match pattern '^\\d{6}$'`` and so on.

    Union tags (the event type pydantic tried) are dropped from the path, so
    the field reads as it does in the JSON.
    """
    parts = []
    for error in exc.errors()[:limit]:
        path = ".".join(str(step) for step in error["loc"] if not _is_union_tag(step))
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{path}: {message}" if path else message)
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _is_union_tag(step: object) -> bool:
    # Discriminated unions put the chosen member's class name in the location.
    return isinstance(step, str) and step[:1].isupper()
