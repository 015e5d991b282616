"""A real Prometheus server (Debian's package) on loopback, for one test module.

It scrapes the given services every two seconds with the job names the deployment
uses (welfare-<service>), evaluates the project's rules, keeps its data in a
temporary folder, and is killed afterwards, also when the test fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import yaml

from services.common.embedded_broker import free_port
from tests.deploy.tools import PROMETHEUS, tool


def loopback_config(targets: dict[str, str]) -> dict:
    """The compose scrape configuration (deploy/prometheus/prometheus.yml), on loopback."""
    return {
        "global": {"scrape_interval": "2s", "scrape_timeout": "2s", "evaluation_interval": "1s"},
        "rule_files": [str(PROMETHEUS / "rules" / "*.yml")],
        "scrape_configs": [
            {"job_name": f"welfare-{service}",
             "static_configs": [{"targets": [address], "labels": {"service": service}}]}
            for service, address in sorted(targets.items())
        ],
    }


class PrometheusServer:
    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log

    # Async: the services under test may run in the caller's event loop, which
    # must keep serving their /metrics while the test waits for Prometheus.
    async def get(self, path: str, **params) -> dict:
        async with httpx.AsyncClient(timeout=10) as client:
            reply = await client.get(f"{self.url}{path}", params=params)
        reply.raise_for_status()
        body = reply.json()
        assert body["status"] == "success", body
        return body["data"]

    async def query(self, promql: str) -> list[dict]:
        return (await self.get("/api/v1/query", query=promql))["result"]

    async def wait_for(self, promql: str, timeout_s: float = 60) -> list[dict]:
        """The query's result once it is not empty."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if result := await self.query(promql):
                return result
            await asyncio.sleep(0.5)
        targets = (await self.get("/api/v1/targets"))["activeTargets"]
        raise AssertionError(f"{promql} stayed empty for {timeout_s}s; targets: "
                             f"{[(t['scrapeUrl'], t['health'], t['lastError']) for t in targets]}")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def prometheus_server(targets: dict[str, str], workdir: Path) -> Iterator[PrometheusServer]:
    binary = tool("prometheus")
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "prometheus.yml"
    config.write_text(yaml.safe_dump(loopback_config(targets)))
    port = free_port()
    log = workdir / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    server = PrometheusServer(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"prometheus exited:\n{server.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{server.url}/-/ready", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"prometheus not ready:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
