"""Several requests' writes in one transaction: one commit, one disk flush, for all.

A commit waits for the disk (SQLite's WAL is flushed at each commit: about 4 ms
on the development machine), and SQLite takes one writer at a time, so intake
answered at most about 150 lines/s however many requests came at once. Here the
writes that arrive while a transaction commits wait for it, then run one after
the other in the next transaction, in one worker thread; each request is
answered once that transaction is committed: a 200 still means the line and its
event are stored.

On PostgreSQL each write keeps a transaction of its own, in a worker thread of
its own: writers there run side by side, each statement a round trip to the
server, and one thread taking them in turn answered fewer requests (83 against
142 a second at 8 clients), not more.

A write that raises rolls back its group; each write of the group then runs
again in a transaction of its own, so that one request's refusal (a firm not
enrolled, a line id held by another firm) is that request's alone and the others
are stored as if they had come alone. A write must therefore touch nothing but
the database (through the connection it is given) until it returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")

# A bound on one transaction: the writes of a group hold SQLite's writer lock (on
# PostgreSQL, their firms' rows) until it commits.
MAX_GROUP = 64


class _Write:
    __slots__ = ("body", "future", "result", "error")

    def __init__(self, body: Callable[[Connection], Any], future: asyncio.Future) -> None:
        self.body = body
        self.future = future
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """``await run(body)``: ``body(connection)`` inside a transaction shared with the
    writes that arrived meanwhile; its result once that transaction committed."""

    def __init__(self, engine: Engine, max_group: int = MAX_GROUP) -> None:
        self.engine = engine
        self.max_group = max_group
        # SQLite: one writer at a time anyway (services.common.database), so a group
        # costs no concurrency and saves a disk flush per write.
        self.grouped = engine.dialect.name == "sqlite"
        self._waiting: list[_Write] = []
        self._committer: asyncio.Task | None = None
        self.transactions = 0  # committed or tried: for tests and benchmarks

    async def run(self, body: Callable[[Connection], T]) -> T:
        write = _Write(body, asyncio.get_running_loop().create_future())
        if not self.grouped:
            await asyncio.to_thread(self._commit_alone, write)
            if write.error is not None:
                raise write.error
            return write.result
        self._waiting.append(write)
        committer = self._committer
        loop = write.future.get_loop()
        if committer is None or committer.done() or committer.get_loop() is not loop:
            self._committer = asyncio.create_task(self._commit_waiting())
        # Shielded: a request given up by its client is still written or refused
        # with its group, as it would be in a worker thread of its own.
        return await asyncio.shield(write.future)

    async def _commit_waiting(self) -> None:
        while self._waiting:
            group = self._waiting[:self.max_group]
            del self._waiting[:self.max_group]
            try:
                await asyncio.to_thread(self._commit, group)
            except BaseException as exc:  # cancelled (the loop stops): none is answered
                for write in group:
                    if not write.future.done():
                        write.future.set_exception(exc)
                raise
            for write in group:
                if write.future.done():
                    continue
                if write.error is not None:
                    write.future.set_exception(write.error)
                else:
                    write.future.set_result(write.result)

    def _commit(self, group: list[_Write]) -> None:
        self.transactions += 1
        try:
            with self.engine.begin() as connection:
                results = [write.body(connection) for write in group]
        except Exception as exc:  # noqa: BLE001 - handed to the request(s) below
            if len(group) == 1:
                group[0].error = exc
                return
            for write in group:  # each alone: a refusal is its own request's
                self._commit_alone(write)
            return
        for write, result in zip(group, results, strict=True):
            write.result = result

    def _commit_alone(self, write: _Write) -> None:
        self.transactions += 1
        try:
            with self.engine.begin() as connection:
                write.result = write.body(connection)
        except Exception as exc:  # noqa: BLE001 - the request's own error
            write.error = exc
