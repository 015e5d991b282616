"""SQLite writers of one process queue on a lock of their own (services/common/database.py),
instead of sleeping in SQLite's busy handler; readers never take it."""

from __future__ import annotations

import threading

from sqlalchemy import text

from services.common.database import make_engine


def writers_lock(engine) -> threading.Lock:
    with engine.connect() as connection:
        return type(connection.connection.dbapi_connection).writers


def test_a_write_transaction_holds_the_lock_until_it_ends(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    with engine.begin() as db:
        db.execute(text("CREATE TABLE t (n INTEGER)"))
    lock = writers_lock(engine)
    with engine.connect() as db:
        db.execute(text("SELECT count(*) FROM t")).scalar()
        assert not lock.locked()  # a reader waits for no writer
    with engine.begin() as db:
        db.execute(text("INSERT INTO t VALUES (1)"))
        assert lock.locked()
        db.execute(text("SELECT count(*) FROM t")).scalar()
    assert not lock.locked()  # released by the commit
    try:
        with engine.begin() as db:
            db.execute(text("UPDATE t SET n = 2"))
            raise RuntimeError("the use case refused")
    except RuntimeError:
        pass
    assert not lock.locked()  # ... and by the rollback
    with engine.connect() as db:
        assert db.execute(text("SELECT n FROM t")).scalar() == 1
    engine.dispose()


def test_engines_on_one_file_share_the_lock_and_others_do_not(tmp_path):
    one, same = (make_engine(f"sqlite:///{tmp_path / 'a.db'}") for _ in range(2))
    other = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert writers_lock(one) is writers_lock(same)
    assert writers_lock(one) is not writers_lock(other)
    for engine in (one, same, other):
        engine.dispose()


def test_many_threads_writing_at_once_lose_nothing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'counter.db'}")
    with engine.begin() as db:
        db.execute(text("CREATE TABLE counter (n INTEGER)"))
        db.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[BaseException] = []

    def add(times: int) -> None:
        try:
            for _ in range(times):
                # Read, then write: without one writer at a time two threads would
                # read the same value (or one would meet "database is locked").
                with engine.begin() as db:
                    db.execute(text("UPDATE counter SET n = n")).close()
                    n = db.execute(text("SELECT n FROM counter")).scalar()
                    db.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(40,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as db:
        assert db.execute(text("SELECT n FROM counter")).scalar() == 240
    assert not writers_lock(engine).locked()
    engine.dispose()
