"""Structured logs: one JSON object per line, with the ids that correlate them.

``bind(round_id=..., event_id=...)`` adds ids to every record logged inside
the block (also across ``await``, through context variables). Only ids and
aggregate figures are ever logged: never an employee's answer or a token.

A record may carry its own fields: ``log.info("...", extra={"fields": {...}})``
puts them in the JSON object beside the message (the HTTP access log does).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator

_context: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("log_context", default={})


@contextlib.contextmanager
def bind(**ids: str) -> Iterator[None]:
    token = _context.set({**_context.get(), **{k: v for k, v in ids.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(service: str, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka reports every reconnection attempt at WARNING/ERROR; the relay
    # and readiness already say when the broker is away.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    # Alembic announces each of its plugins at INFO on every start; the
    # migrations it runs are still logged.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
