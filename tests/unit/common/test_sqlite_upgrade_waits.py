"""A SQLite upgrade waits for another process's upgrade longer than the busy timeout."""

from __future__ import annotations

import sqlite3
import threading
import time

from sqlalchemy import create_engine

from services.common.migrations import _begin_immediate


def test_begin_immediate_waits_past_the_busy_timeout_for_the_write_lock(tmp_path):
    path = tmp_path / "shared.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process upgrading
    released = threading.Event()

    def release_later() -> None:
        time.sleep(1.0)  # far past this engine's busy timeout
        holder.execute("COMMIT")
        released.set()

    threading.Thread(target=release_later, daemon=True).start()
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    with engine.connect() as connection:
        _begin_immediate(connection)  # without the retries: "database is locked" at 0.05 s
        assert released.is_set()
        connection.exec_driver_sql("COMMIT")
    engine.dispose()
    holder.close()
