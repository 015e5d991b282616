"""One outbox relay at a time per outbox table, across processes (PostgreSQL).

Several instances of a service on one PostgreSQL share its outbox table. If
each relay published every pending row, every event would go out once per
instance, and rows of one key could go out of order (instance B publishing a
later row before instance A publishes an earlier one). So a relay publishes
only while it holds a session-level advisory lock keyed by the table's name,
taken with ``pg_try_advisory_lock`` on a connection it keeps for that purpose;
the other relays find nothing pending and keep trying at their idle interval.
A relay lets the lock go whenever it finds nothing pending (its last batch is
marked, nothing is in flight), so an idle or stopped relay holds nothing. When
the holder's process dies, even by SIGKILL, its connection closes and the
server releases the lock: another instance's relay takes over within one idle
interval, and publishes whatever rows any instance wrote.

Left over: a holder that loses its connection mid-batch (the database
restarted) may see another relay publish rows it has published but not yet
marked. Those go out twice under the same event id, which consumers drop as
duplicates, as after any crash between publishing and marking.

SQLite needs no lock: a SQLite file is one process's (several instances are a
PostgreSQL deployment), so there is only ever one relay per table.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, text

from services.common.migrations import advisory_key

log = logging.getLogger(__name__)


class RelayLock:
    def __init__(self, engine: Engine, table_name: str) -> None:
        self.engine = engine
        self.key = advisory_key(f"outbox:{table_name}")
        self._connection: Connection | None = None
        self._mutex = threading.Lock()  # called from worker threads

    def held(self) -> bool:
        """True if this relay may publish now (taking the lock if it is free)."""
        if self.engine.dialect.name != "postgresql":
            return True
        with self._mutex:
            if self._connection is not None:
                try:
                    self._connection.exec_driver_sql("SELECT 1")
                    return True
                except Exception as exc:  # noqa: BLE001 - the lock went with the connection
                    log.warning("outbox relay: lost the connection holding the relay lock "
                                "(%s); taking it again", exc)
                    self._drop()
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                         {"key": self.key}).scalar()
            except Exception:
                connection.invalidate()
                connection.close()
                raise
            if not got:
                connection.close()
                return False
            self._connection = connection
            log.debug("outbox relay: this instance publishes the outbox")
            return True

    def release(self) -> None:
        with self._mutex:
            self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            # The lock is the session's: a pooled connection must not keep it.
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection held nothing any more
            connection.invalidate()
            connection.close()
