"""Turning validation failures into one readable line that names the field."""

from __future__ import annotations

from pydantic import ValidationError

from schemas.types import IDENTIFIER_PATTERN

# Patterns a contract still checks with pydantic's own constraint, said in words:
# nobody filling in a form should have to read a regular expression.
_PATTERNS = {
    IDENTIFIER_PATTERN: "must be 1 to 100 characters: letters, digits and . _ : - (no spaces "
                        "or accents), starting with a letter or a digit",
    "^[A-U]$": "must be the letter of an ATECO 2007 section, A to U",
    "^[0-9a-f]{64}$": "must be a SHA-256 digest, 64 lower-case hexadecimal digits",
}


def message_of(error: dict) -> str:
    """One pydantic error's message, in words (never a regular expression)."""
    if error.get("type") == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        return _PATTERNS.get(pattern, "is not written the way this field requires")
    return str(error["msg"]).removeprefix("Value error, ")


def describe(exc: ValidationError, limit: int = 3) -> str:
    """``line.municipality: is not an ISTAT municipality code (...)`` and so on.

    Union tags (the event type pydantic tried) are dropped from the path, so
    the field reads as it does in the JSON.
    """
    parts = []
    for error in exc.errors()[:limit]:
        path = ".".join(str(step) for step in error["loc"] if not _is_union_tag(step))
        message = message_of(error)
        parts.append(f"{path}: {message}" if path else message)
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _is_union_tag(step: object) -> bool:
    # Discriminated unions put the chosen member's class name in the location.
    return isinstance(step, str) and step[:1].isupper()
