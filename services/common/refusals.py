"""Why a use case refused: each maps to one HTTP status (``create_api`` renders them).

A refusal is said to a person, so it is kept as a message of the catalogue (an
English msgid) and its values, and rendered in the language the request asks
for (Italian by default) only when the answer is written. ``str()`` of a
refusal is the English text, for logs and for callers that are not HTTP.

Use cases that still build their message with an f-string (``NotFound(f"firm
{firm_id!r} is not enrolled")``) are translated too when the text matches one of
``FRAMES``: the fixed words are the msgid, what varies (ids, counts) its values.
Pass the msgid and the values instead where a message is new:
``NotFound(N_("no round '{round_id}'"), round_id=round_id)``. Any other text is
shown as it was written, in English.
"""

from __future__ import annotations

import re
from functools import lru_cache
from string import Formatter
from typing import Protocol

from services.common.i18n import N_


class Texts(Protocol):  # services.common.i18n.Texts: what rendering needs of it
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
            return t._(self.message, **{name: t._(value) if isinstance(value, Word) else value
                                        for name, value in self.values.items()})
        frame = match_frame(self.message)
        if frame is not None:
            return t._(frame[0], **frame[1])
        return t._(self.message)


def english(message: str, values: dict[str, object]) -> str:
    return message.format(**values) if values else message


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


# The fixed words of the refusals use cases write as f-strings (services/*/service_layer,
# downloads): each ``{name}`` stands for what varies. Quotes are part of the frame, as
# ``!r`` writes them around an id (ids have no quotes of their own).
FRAMES = (
    N_("firm '{firm_id}' is not enrolled"),
    N_("provider '{provider_id}' is not enrolled"),
    N_("the firm has no line '{line_id}'"),
    N_("the provider has no offer '{offer_id}'"),
    N_("only an operator may enrol a new firm"),
    N_("only an operator may enrol a new provider"),
    N_("the firm belongs to network '{network_id}'; moving it is not supported"),
    N_("the provider belongs to network '{network_id}'; moving it is not supported"),
    N_("line id '{line_id}' is already used by another firm"),
    N_("line id '{line_id}' is already used by one of the firm's own lines"),
    N_("line '{line_id}' is aggregated from the firm's survey; change or withdraw the "
       "answers instead"),
    N_("offer id '{offer_id}' is already used by another provider"),
    N_("the firm would have {count} demand lines; one firm may have at most {limit} "
       "(withdraw some first)"),
    N_("the provider would have {count} offers; one provider may have at most {limit} "
       "(withdraw some first)"),
    N_("line '{line_id}' must aggregate at least {k} employees (k-anonymity)"),
    N_("a line must aggregate at least {k} employees (k-anonymity)"),
    N_("repeats the pseudonym of answer {index}"),
    N_("larger than {size} MiB"),
    N_("contract '{contract_id}' is not the contract of provider '{provider_id}' in round "
       "'{round_id}': check the award's contract and round"),
    N_("an acceptance takes no reason; only a decline does"),
    N_("a decline needs a reason: one of {reasons}"),
    N_("with the reason 'other', say the reason in the note"),
    N_("no round '{round_id}'"),
    N_("the matcher has no round '{round_id}'"),
    N_("no template '{file}'; the templates are {names}"),
    N_("no committed round has firm '{firm_id}' yet: its outcome is known once the "
       "network's operator commits a round with it"),
    # services/operator/rounds.py: the matcher's read API away, or refusing.
    N_("the matcher's API at {url} does not answer ({error}); rounds cannot be read until "
       "it does"),
    N_("the matcher's API answered {status} to {path}: {said}"),
)


def match_frame(text: str, frames: tuple[str, ...] = FRAMES
                ) -> tuple[str, dict[str, str]] | None:
    """The frame ``text`` was written from and the values it was filled with, if any."""
    for frame, pattern in _patterns(frames):
        found = pattern.fullmatch(text)
        if found is not None:
            return frame, found.groupdict()
    return None


@lru_cache(maxsize=8)
def _patterns(frames: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for frame in frames:
        pattern = ""
        for literal, name, _spec, _conversion in Formatter().parse(frame):
            pattern += re.escape(literal)
            if name is not None:
                pattern += f"(?P<{name}>.+?)"
        compiled.append((frame, re.compile(pattern, re.DOTALL)))
    return compiled
