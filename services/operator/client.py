"""A small client of the operator API, for ``welfare round ...`` and the demo.

It asks for answers in the person's language (``Accept-Language``), so that a
refusal it prints (``401: ...``) is in the words the rest of the output uses:
the language given, else the one the environment chooses (``WELFARE_LOCALE``,
``LANG``...), else Italian.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from services.common.i18n import choose_language

FINISHED = ("completed", "failed")


class OperatorApiError(RuntimeError):
    pass


class OperatorClient:
    def __init__(self, base_url: str, token: str, timeout_s: float = 30.0,
                 language: str | None = None) -> None:
        self.language = choose_language(language)
        self.http = httpx.Client(
            base_url=base_url, timeout=timeout_s,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": self.language},
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise OperatorApiError(f"cannot reach {self.http.base_url}: {exc}") from None
        return self._check(response)

    def _check(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                body = response.json()
                detail = body.get("error") or body.get("detail") or body
            except ValueError:
                detail = response.text
            raise OperatorApiError(f"{response.status_code}: {detail}")
        return response.json()

    def start_round(self, network: str, weeks: str, *, dry_run: bool,
                    parameters: dict | None = None) -> dict:
        body: dict[str, Any] = {"weeks": weeks, "dry_run": dry_run}
        if parameters:
            body["parameters"] = parameters
        return self._send("POST", f"/v1/networks/{network}/rounds", json=body)

    def commit_round(self, dry_run_id: str) -> dict:
        """Commit the stored dry run as it was reviewed; the new round's id and status."""
        return self._send("POST", f"/v1/rounds/{dry_run_id}/commit")

    def get_round(self, round_id: str) -> dict:
        return self._send("GET", f"/v1/rounds/{round_id}")

    def list_rounds(self, network: str | None = None, limit: int = 20) -> list[dict]:
        params: dict[str, Any] = {"limit": limit}
        if network:
            params["network"] = network
        return self._send("GET", "/v1/rounds", params=params)

    def wait(self, round_id: str, *, timeout_s: float = 600.0, poll_s: float = 0.5,
             on_change: Callable[[dict], None] | None = None,
             on_tick: Callable[[dict, float], None] | None = None,
             tick_s: float = 5.0) -> dict:
        """Poll until the round has completed or failed; report each change of
        status, and every ``tick_s`` while it stays the same (with the seconds
        since the wait began), so that a long solve does not look stuck."""
        began = time.monotonic()
        deadline = began + timeout_s
        last, last_told = None, began
        while True:
            current = self.get_round(round_id)
            state = current.get("status")
            now = time.monotonic()
            if state != last:
                if on_change is not None:
                    on_change(current)
                last_told = now
            elif on_tick is not None and now - last_told >= tick_s:
                on_tick(current, now - began)
                last_told = now
            last = state
            if current.get("status") in FINISHED:
                return current
            if time.monotonic() > deadline:
                raise OperatorApiError(f"round {round_id} did not finish in {timeout_s:.0f} s")
            time.sleep(poll_s)

    def close(self) -> None:
        self.http.close()
