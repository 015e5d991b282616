"""How long the operator's round report takes to load, at Modena's size and at 1k lines.

Usage: .venv/bin/python -m tests.benchmarks.bench_console_pages [--lines 1000] [--loads 5]

For each size: the whole system on the embedded broker and SQLite (the browser
tests' stack, tests/browser/stack.py), a dry run of the network, then Debian's
chromium loads the round report ``--loads`` times. Printed per size: the page's
HTML bytes, the time to its first byte (the console asking the operator service,
which asks the matcher, and rendering the map and the charts), and the time until
the page's load event (every asset, the SVGs drawn), as minimum, median and
maximum over the loads; and the ratio of the 1k medians to Modena's. A figure,
never a test: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from tests.browser.stack import WEEKS, running_stack
from tests.support.browser import launch


def dry_run(stack, time_limit_s: float) -> str:
    headers = {"Authorization": f"Bearer {stack.tokens.operator}"}
    started = httpx.post(
        f"{stack.urls['operator']}/v1/networks/modena/rounds", headers=headers, timeout=30,
        json={"weeks": f"{WEEKS[0]}..{WEEKS[1]}", "dry_run": True,
              "parameters": {"time_limit_s": time_limit_s}})
    started.raise_for_status()
    round_id = started.json()["round_id"]
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        detail = httpx.get(f"{stack.urls['operator']}/v1/rounds/{round_id}", headers=headers,
                           timeout=30).json()
        if detail["status"] == "completed":
            return round_id
        if detail["status"] == "failed":
            raise RuntimeError(f"the dry run failed: {detail}")
        time.sleep(0.5)
    raise TimeoutError("the dry run did not complete in 10 minutes")


def loads(stack, round_id: str, count: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"bytes": [], "first_byte_ms": [], "load_ms": []}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
        page = context.new_page()
        page.goto(stack.console + "/login")
        page.fill("#token", stack.tokens.operator)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url("**/network")
        for _ in range(count):
            response = page.goto(f"{stack.console}/rounds/{round_id}", wait_until="load")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.responseStart - n.requestStart, n.loadEventEnd || n.duration]; }")
            figures["bytes"].append(len(response.body()))
            figures["first_byte_ms"].append(timing[0])
            figures["load_ms"].append(timing[1])
        browser.close()
    return figures


def spread(values: list[float]) -> str:
    return f"{min(values):8.0f} {statistics.median(values):8.0f} {max(values):8.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=10.0)
    options = parser.parse_args()
    results = {}
    for label, lines in (("modena", None), (f"{options.lines} lines", options.lines)):
        with tempfile.TemporaryDirectory() as work:
            workdir = Path(work)
            with running_stack(workdir, f"sqlite:///{workdir}/{{service}}.db", lines) as stack:
                size = len([1 for _ in stack.network.get("firms", [])])
                round_id = dry_run(stack, options.time_limit)
                detail = httpx.get(f"{stack.urls['operator']}/v1/rounds/{round_id}",
                                   headers={"Authorization": f"Bearer {stack.tokens.operator}"},
                                   timeout=30).json()
                results[label] = (detail.get("demand_lines"), size,
                                  loads(stack, round_id, options.loads))
    print(f"{'round':>12} {'lines':>6} {'firms':>6} {'HTML KiB':>9}   "
          f"{'first byte ms (min med max)':>27}   {'load ms (min med max)':>27}")
    for label, (lines, firms, figures) in results.items():
        print(f"{label:>12} {lines or 0:6d} {firms:6d} {statistics.median(figures['bytes']) / 1024:9.0f}"
              f"   {spread(figures['first_byte_ms']):>27}   {spread(figures['load_ms']):>27}")
    small, large = (statistics.median(r[2]["load_ms"]) for r in results.values())
    small_fb, large_fb = (statistics.median(r[2]["first_byte_ms"]) for r in results.values())
    print(f"ratio of medians, large/modena: first byte {large_fb / small_fb:.1f}, "
          f"load {large / small:.1f}")


if __name__ == "__main__":
    main()
