"""Why a use case refused: each maps to one HTTP status (``create_api`` renders them).

A refusal is said to a person, so it is kept as a message of the catalogue (an
English msgid) and its values, and rendered in the language the request asks
for (Italian by default) only when the answer is written. ``str()`` of a
refusal is the English text, for logs and for callers that are not HTTP.

A use case passes the msgid and what varies in it (ids, counts) as values:
``NotFound(N_("firm '{firm_id}' is not enrolled"), firm_id=firm_id)``. Never an
f-string: its words are not a message of the catalogue, and would be shown in
English whatever the reader's language. A count is written as the reader's
locale writes numbers (``1.201`` in Italian, ``1,201`` in English); a round's
status, as a ``Word``, in the reader's words.
"""

from __future__ import annotations

from typing import Protocol

from babel.numbers import format_decimal

from services.common.i18n import N_


class Texts(Protocol):  # services.common.i18n.Texts: what rendering needs of it
    locale: str

    def _(self, message: str, /, **values: object) -> str: ...


class Word(str):
    """A value of a refusal that is itself a message of the catalogue (a round's status,
    ``running``): said in the reader's language too, where an id is left as it is."""


class Worded:
    """Anything refused with a stable ``code`` and a message of the catalogue.

    Shared by use cases' refusals (below), by the bearer-token checks
    (``services.common.auth``) and by the body limit (``services.common.http``),
    so that one handler renders them all in the request's language.
    """

    code: str = "refused"
    message: str = ""
    values: dict[str, object] = {}

    def render(self, t: Texts) -> str:
        if self.values:
            return t._(self.message, **{name: _said(t, value)
                                        for name, value in self.values.items()})
        return t._(self.message)


def _said(t: Texts, value: object) -> object:
    """A value as the reader reads it: a Word in their words, a count in their digits."""
    if isinstance(value, Word):
        return t._(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_decimal(value, locale=t.locale)
    return value


def english(message: str, values: dict[str, object]) -> str:
    """The English text, for ``str()`` (logs, callers that are not HTTP)."""
    if not values:
        return message
    return message.format(**{name: f"{value:,}" if isinstance(value, int | float)
                             and not isinstance(value, bool) else value
                             for name, value in values.items()})


# The code of a refusal whose class names none (a service's own subclass of Refused).
CODE_OF_STATUS = {403: "forbidden", 404: "not_found", 409: "conflict", 422: "invalid",
                  503: "unavailable"}


class Refused(Worded, Exception):
    status = 400
    code = ""  # "": the one of its status (CODE_OF_STATUS)

    def __init__(self, message: str, /, **values: object) -> None:
        self.message = message
        self.values = values
        super().__init__(english(message, values))


class NotFound(Refused):
    status = 404
    code = "not_found"


class Forbidden(Refused):
    status = 403
    code = "forbidden"


class Conflict(Refused):
    status = 409
    code = "conflict"


class Invalid(Refused):
    """A request that is well-formed but breaks a rule, naming the field."""

    status = 422
    code = "invalid"

    def __init__(self, field: str, message: str, /, **values: object) -> None:
        self.field = field
        self.message = message
        self.values = values
        Exception.__init__(self, f"{field}: {english(message, values)}")


def must_match(field: str, given: str, expected: str) -> None:
    """A body that names another entity than its URL is refused, naming the field."""
    if given != expected:
        raise Invalid(field, N_("must equal the id in the URL"))
