"""The embedded broker never outlives whoever started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from services.common.embedded_broker import EmbeddedBroker, answers_metadata

pytestmark = pytest.mark.broker
REPO = Path(__file__).parents[2]


def alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_broker_answers_and_has_the_public_topics(broker):
    from aiokafka.admin import AIOKafkaAdminClient  # noqa: F401 - import check only

    assert answers_metadata(broker.host, broker.port)
    listed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(f"""
            import asyncio
            from aiokafka.admin import AIOKafkaAdminClient
            async def main():
                admin = AIOKafkaAdminClient(bootstrap_servers="{broker.bootstrap}")
                await admin.start()
                for t in await admin.describe_topics():
                    print(t["topic"], len(t["partitions"]))
                await admin.close()
            asyncio.run(main())
        """)],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split("\n")
    assert "welfare.demand.v1 6" in listed
    assert "welfare.round-commands.v1 3" in listed


def test_stop_leaves_no_process_and_restart_reuses_the_port():
    broker = EmbeddedBroker().start()
    first_pid, port = broker.pid, broker.port
    broker.restart()
    assert broker.port == port and answers_metadata(broker.host, port)
    assert wait_gone(first_pid)
    second_pid = broker.pid
    broker.stop()
    assert wait_gone(second_pid)
    assert not answers_metadata(broker.host, port)


def test_a_test_that_fails_midway_leaves_no_broker_behind(tmp_path):
    pid_file = tmp_path / "pid"
    test_file = tmp_path / "test_fails.py"
    # The second test runs in the same session, while the owner still lives,
    # so it sees whether teardown (not process exit) stopped the broker.
    test_file.write_text(textwrap.dedent(f"""
        from pathlib import Path
        from tests.integration.test_embedded_broker import wait_gone

        def test_fails_midway(broker):
            Path({str(pid_file)!r}).write_text(str(broker.pid))
            raise AssertionError("deliberate failure in the middle of a test")

        def test_then_the_broker_is_gone():
            assert wait_gone(int(Path({str(pid_file)!r}).read_text()))
    """))
    run = subprocess.run(
        # The project's fixtures are loaded as a plugin, since the file lives
        # outside tests/.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
         "--rootdir", str(tmp_path), str(test_file)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "deliberate failure" in run.stdout
    assert "1 failed, 1 passed" in run.stdout
    assert wait_gone(int(pid_file.read_text()))


def test_the_broker_dies_with_its_owner_even_on_sigkill(tmp_path):
    owner = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import time
            from services.common.embedded_broker import EmbeddedBroker
            broker = EmbeddedBroker().start()
            print(broker.pid, flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    broker_pid = int(owner.stdout.readline())
    assert alive(broker_pid)
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=10)
    assert wait_gone(broker_pid)


def test_ctrl_c_stops_the_welfare_broker_command():
    command = subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "broker", "--port", "0"],
        stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    assert "embedded broker on" in command.stdout.readline()
    children = subprocess.run(["pgrep", "-P", str(command.pid)], capture_output=True, text=True)
    broker_pid = int(children.stdout.split()[0])
    command.send_signal(signal.SIGINT)
    assert command.wait(timeout=20) == 0
    assert wait_gone(broker_pid)
