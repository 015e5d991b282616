"""A real browser for the tests: Debian's chromium driven by Playwright.

Playwright's own browser download does not work everywhere (and fetches from
the internet); ``make test`` installs Debian's chromium
(deploy/tools/ensure-debian-packages.sh), and ``launch`` starts it headless. ``Visits`` records every request a page
makes, so a test can assert that a page refers to no host but the console's,
runs axe-core (from the ``axe-playwright-python`` wheel, injected into the page
without any request) and writes a screenshot of each page.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BLOCKING_IMPACTS = ("serious", "critical")


def chromium_path() -> str:
    """Debian's chromium, or skip with how to install it."""
    for candidate in (os.environ.get("WELFARE_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("chromium is not installed: make test installs it "
                "(deploy/tools/ensure-debian-packages.sh)")


def launch(playwright):
    """Chromium, headless; without the sandbox when running as root (CI containers)."""
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=args)


def axe_source() -> str:
    from axe_playwright_python import __file__ as package
    return (Path(package).parent / "axe.min.js").read_text(encoding="utf-8")


@dataclass
class Visits:
    """Every request of a browser context, and the checks every page gets."""

    origin: str
    requests: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def attach(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))

    def foreign(self) -> list[str]:
        """Requests to anything but the console's origin (data: URLs are not requests
        to a host; Chromium reports none for inline SVG)."""
        own = urlsplit(self.origin)
        return [url for url in self.requests
                if not url.startswith("data:")
                and (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)]

    def check(self, page, name: str) -> list[dict]:
        """axe-core on the page as it is; a full-page screenshot; the serious and
        critical violations (a test asserts there are none)."""
        self.pages.append(page.url)
        page.add_script_tag(content=axe_source())  # inline: defines window.axe, no request
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{_file_name(name)}.png"), full_page=True)
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"][:5]]}
                for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
