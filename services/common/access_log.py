"""The HTTP access log: one JSON line per request, with nothing personal in it.

Each line (logger ``welfare.access``) has the method, the route *template*
(``/v1/firms/{firm_id}/survey``, never the path with its ids, nor the query
string), the status, the latency in milliseconds, the request id and the
caller's role and subject as the token store knows them (``firm``/``acme``),
never the token. Bodies, headers and the client's address are never logged:
an IP address is personal data (GDPR) and the load balancer in front already
keeps its own. Probes (``/health``, ``/ready``, ``/metrics``) are logged at
DEBUG, so that a scrape every few seconds does not bury the requests.

The request id is the caller's ``X-Request-ID`` when it is a plain token (up to
64 letters, digits, ``-`` and ``_``), else a new one; it is sent back in the
response and bound to every log line written while the request is served.
"""

from __future__ import annotations

import contextvars
import logging
import string
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from services.common.logs import bind

log = logging.getLogger("welfare.access")

REQUEST_ID_HEADER = "X-Request-ID"
PROBES = frozenset({"/health", "/ready", "/metrics"})
_ID_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_MAX_ID_LENGTH = 64

# The caller of the request being served, noted by the authenticator. A dict
# set per request: the authenticator runs in a worker thread (a copy of the
# context), so it fills this one in rather than setting a variable of its own.
_caller: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "http_caller", default=None)


def note_caller(role: str, subject: str) -> None:
    """Tell the access log who is calling (the authenticator does, once it knows)."""
    caller = _caller.get()
    if caller is not None:
        caller.update(role=role, subject=subject)


def request_id_of(request: Request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(given) <= _MAX_ID_LENGTH and set(given) <= _ID_CHARS:
        return given
    return uuid.uuid4().hex


def route_template(request: Request) -> str:
    # Bounded and free of ids: the template the request matched, not its URL.
    return getattr(request.scope.get("route"), "path", "unmatched")


async def log_request(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """An ``@app.middleware("http")`` body: serve the request, then log one line."""
    request_id = request_id_of(request)
    caller: dict[str, str] = {}
    token = _caller.set(caller)
    started = time.perf_counter()
    status = 500  # what the client gets when the handler raises
    try:
        with bind(request_id=request_id):
            response = await call_next(request)
        status = response.status_code
        response.headers[REQUEST_ID_HEADER] = request_id
        return response
    finally:
        _caller.reset(token)
        route = route_template(request)
        latency_ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {"http_method": request.method, "http_route": route,
                  "http_status": status, "latency_ms": latency_ms,
                  "request_id": request_id, **caller}
        level = logging.DEBUG if route in PROBES else logging.INFO
        log.log(level, "%s %s %s", request.method, route, status, extra={"fields": fields})
