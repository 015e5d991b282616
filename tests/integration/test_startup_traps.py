"""Starting a service by hand, as the README says: no trap, no silence.

Each test runs the real ``welfare serve`` (or the connect step it uses) and
asserts on what the process prints, its exit code and its readiness.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.common.auth import Role, issue
from services.common.embedded_broker import free_port
from services.common.kafka import KafkaConnection, connect_broker
from services.common.settings import Settings

WELFARE = [sys.executable, "-m", "services.cli.main"]


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELFARE_")}
    env.update({"WELFARE_DATABASE_URL": f"sqlite:///{tmp_path / 'intake.db'}",
                "WELFARE_DATA_DIR": str(tmp_path), "WELFARE_LOG_JSON": "false"})
    env.update(values)
    return env


def _serve(tmp_path: Path, **values: str) -> subprocess.Popen:
    return subprocess.Popen([*WELFARE, "serve", "intake"], env=_env(tmp_path, **values),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=Path(__file__).resolve().parents[2])


def _wait_ready(port: int, process: subprocess.Popen, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    status = 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            status = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code
            if status == 200:
                return status
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    return status


def _stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.terminate()
    output, _ = process.communicate(timeout=60)
    return output


def test_a_service_pointed_at_the_embedded_broker_becomes_ready_saying_why_once(
        kafka_bootstrap, tmp_path):
    port = free_port()
    tokens = tmp_path / "tokens.json"
    issue(tokens, Role.FIRM, "acme")
    process = _serve(tmp_path, WELFARE_KAFKA_BOOTSTRAP=kafka_bootstrap,
                     WELFARE_INTAKE_PORT=str(port), WELFARE_TOKENS_FILE=str(tokens))
    try:
        assert _wait_ready(port, process) == 200
    finally:
        output = _stop(process)
    assert output.count("refuses idempotent producers") == 1, output
    assert "WELFARE_KAFKA_IDEMPOTENT_PRODUCER=false" in output
    assert "Unclosed AIOKafkaProducer" not in output
    assert "1 bearer token(s) loaded" in output


def test_idempotence_asked_for_on_a_broker_that_refuses_it_stops_with_the_setting_to_change(
        kafka_bootstrap, tmp_path):
    process = _serve(tmp_path, WELFARE_KAFKA_BOOTSTRAP=kafka_bootstrap,
                     WELFARE_INTAKE_PORT=str(free_port()), WELFARE_KAFKA_IDEMPOTENT_PRODUCER="true")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    last = output.strip().splitlines()[-1]
    assert last.startswith("welfare: error: intake:")
    assert "set WELFARE_KAFKA_IDEMPOTENT_PRODUCER=false" in last
    assert "Traceback" not in output


def test_a_port_in_use_is_one_line_and_a_non_zero_exit(kafka_bootstrap, tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        process = _serve(tmp_path, WELFARE_KAFKA_BOOTSTRAP=kafka_bootstrap,
                         WELFARE_KAFKA_IDEMPOTENT_PRODUCER="false", WELFARE_INTAKE_PORT=str(port))
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "Traceback" not in output
    assert output.strip().splitlines() == [
        f"welfare: error: intake: port {port} on 127.0.0.1 is already in use: stop what holds "
        "it, or choose another port (--port or WELFARE_INTAKE_PORT sets it)"]


def test_no_tokens_is_said_loudly_at_start_and_in_every_refusal(kafka_bootstrap, tmp_path):
    port = free_port()
    missing = tmp_path / "no-such-tokens.json"
    process = _serve(tmp_path, WELFARE_KAFKA_BOOTSTRAP=kafka_bootstrap,
                     WELFARE_KAFKA_IDEMPOTENT_PRODUCER="false", WELFARE_INTAKE_PORT=str(port),
                     WELFARE_TOKENS_FILE=str(missing))
    try:
        assert _wait_ready(port, process) == 200
        refused = httpx.get(f"http://127.0.0.1:{port}/v1/firms/acme/demand",
                            headers={"Authorization": "Bearer nothing"})
        english = httpx.get(f"http://127.0.0.1:{port}/v1/firms/acme/demand",
                            headers={"Authorization": "Bearer nothing", "Accept-Language": "en"})
    finally:
        output = _stop(process)
    assert f"no bearer tokens loaded from the file {missing}, which does not exist" in output
    # Italian unless the request asks otherwise; the code is the same in every language.
    assert refused.status_code == 401 and refused.json()["code"] == "no_tokens_configured"
    assert "non ne ha nessuno configurato" in refused.json()["error"]
    assert english.status_code == 401 and english.json()["code"] == "no_tokens_configured"
    assert "has none configured" in json.dumps(english.json())


async def test_retrying_a_refused_producer_leaks_no_file_descriptors(kafka_bootstrap):
    """FastStream leaves a producer whose start failed open: a descriptor per retry.

    The embedded broker answers but refuses the idempotent producer asked for,
    the case where a connection is already open when the start fails.
    """
    connection = KafkaConnection(
        Settings(kafka_bootstrap=kafka_bootstrap, kafka_idempotent_producer=True),
        kafka_bootstrap)
    broker = connection.faststream_broker(client_id="fd-probe")

    async def attempts(n: int) -> None:
        for _ in range(n):
            with pytest.raises(Exception):  # noqa: B017,PT011 - refused, in whatever words
                await connect_broker(broker)

    await attempts(3)
    before = len(os.listdir("/proc/self/fd"))
    await attempts(20)
    after = len(os.listdir("/proc/self/fd"))
    await broker.stop()
    assert after <= before + 2, f"{after - before} descriptors more after 20 attempts"
