"""An embedded broker that comes back empty the way a real cluster does: with its topics.

A Kafka cluster that lost its data comes back with its topics (the platform,
Strimzi or the services' ``ensure_topics``, creates them before clients may
write), and a real broker refuses a record for a topic it does not have.
Tansu does neither: started again on the same port, it accepts records for a
topic that does not exist yet, and once the topic is created it refuses each
later record of that partition until it has burnt one offset per record it took
(``AlreadyExists`` in its log, ``UnknownError`` to the client). Clients that
cached the old metadata send the instant the port opens, so a plain restart
made the broker-comes-back-empty test fail about one run in five, on the
broker's quirk rather than on the services.

``GatedBroker`` puts a gate in front of Tansu: clients reach it on the public
port, the gate forwards to Tansu's own port; ``restart()`` closes the gate and
drops every connection, starts Tansu empty, creates the topics, then opens the
gate again. Only the tests that restart the broker pay for the forwarding.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from services.common.embedded_broker import EmbeddedBroker, free_port

_CHUNK = 256 * 1024


class GatedBroker(EmbeddedBroker):
    def __init__(self, **kwargs) -> None:
        host = kwargs.get("host", "127.0.0.1")
        super().__init__(listen_port=free_port(host), **kwargs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="broker-gate",
                                        daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task] = set()

    def start(self) -> GatedBroker:
        super().start()  # Tansu on its own port, with the topics
        self._call(self._open())
        return self

    def stop(self) -> None:
        if getattr(self, "_loop", None) is not None and self._loop.is_running():
            self._call(self._close())
        super().stop()

    def restart(self) -> None:
        """Stop, start again empty on the same public port, topics first, then clients."""
        self._call(self._close())
        super().stop()
        super().start()
        self._call(self._open())

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    async def _open(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._forward, self.host, self.port)

    async def _close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        if self._pipes:
            await asyncio.gather(*self._pipes, return_exceptions=True)
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    async def _forward(self, client_reader: asyncio.StreamReader,
                       client_writer: asyncio.StreamWriter) -> None:
        try:
            broker_reader, broker_writer = await asyncio.open_connection(self.host,
                                                                         self.listen_port)
        except OSError:
            client_writer.close()
            return
        pipes = {asyncio.ensure_future(_pipe(client_reader, broker_writer)),
                 asyncio.ensure_future(_pipe(broker_reader, client_writer))}
        self._pipes |= pipes
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            self._pipes -= pipes
            for writer in (client_writer, broker_writer):
                writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while chunk := await reader.read(_CHUNK):
            writer.write(chunk)
            await writer.drain()
