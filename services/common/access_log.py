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
import random
import string
import time

from services.common.logs import bind
from services.common.metrics import ServiceMetrics

log = logging.getLogger("welfare.access")

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
PROBES = frozenset({"/health", "/ready", "/metrics"})
_ID_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_MAX_ID_LENGTH = 64

# The caller of the request being served, noted by the authenticator. A dict
# set per request, filled in rather than set: a dependency that runs in a worker
# thread (a copy of the context) still reaches the one the log reads.
_caller: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "http_caller", default=None)


def note_caller(role: str, subject: str) -> None:
    """Tell the access log who is calling (the authenticator does, once it knows)."""
    caller = _caller.get()
    if caller is not None:
        caller.update(role=role, subject=subject)


def _request_id(given: str) -> str:
    if 0 < len(given) <= _MAX_ID_LENGTH and set(given) <= _ID_CHARS:
        return given
    # 32 hex digits, as a uuid4's: an id to correlate lines by, not a secret, so
    # drawn without a system call (os.urandom was one per request).
    return f"{random.getrandbits(128):032x}"


def _route_template(scope) -> str:
    # Bounded and free of ids: the template the request matched, not its URL.
    return getattr(scope.get("route"), "path", "unmatched")


class AccessLog:
    """Plain ASGI middleware, the outermost of ``create_api``: serve the request,
    then log its line and count it in ``welfare_http_requests`` and
    ``welfare_http_request_duration_seconds`` (route template, method, status).

    Outermost, so that it sees the status the client gets, a 413 of ``BodyLimit``
    included; a handler that raises is logged and counted as the 500 the client
    gets. (Two ``@app.middleware("http")`` did this before: each one cost a task and
    a pair of memory streams per request.)
    """

    def __init__(self, app, metrics: ServiceMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = ""
        for name, value in scope["headers"]:
            if name == _REQUEST_ID_KEY:
                given = value.decode("latin-1")
                break
        request_id = _request_id(given)
        echoed = (_REQUEST_ID_KEY, request_id.encode())
        status = 500  # what the client gets when the handler raises

        async def send_with_id(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ())
                           if h[0].lower() != _REQUEST_ID_KEY]
                headers.append(echoed)
                message = {**message, "headers": headers}
            await send(message)

        caller: dict[str, str] = {}
        token = _caller.set(caller)
        started = time.perf_counter()
        try:
            with bind(request_id=request_id):
                await self.app(scope, receive, send_with_id)
        finally:
            _caller.reset(token)
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope["method"]
            if self.metrics is not None:
                self.metrics.http_requests.labels(route, method, str(status)).inc()
                self.metrics.http_duration.labels(route, method).observe(elapsed)
            level = logging.DEBUG if route in PROBES else logging.INFO
            if log.isEnabledFor(level):
                fields = {"http_method": method, "http_route": route, "http_status": status,
                          "latency_ms": round(elapsed * 1000, 1), "request_id": request_id,
                          **caller}
                log.log(level, "%s %s %s", method, route, status, extra={"fields": fields})
