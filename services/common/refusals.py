"""Why a use case refused: each maps to one HTTP status (``create_api`` renders them)."""

from __future__ import annotations


class Refused(Exception):
    status = 400


class NotFound(Refused):
    status = 404


class Forbidden(Refused):
    status = 403


class Conflict(Refused):
    status = 409


class Invalid(Refused):
    """A request that is well-formed but breaks a rule, naming the field."""

    status = 422

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def must_match(field: str, given: str, expected: str) -> None:
    """A body that names another entity than its URL is refused, naming the field."""
    if given != expected:
        raise Invalid(field, "must equal the id in the URL")
