"""Writes of requests that come together share one SQLite transaction, each answered
once it is committed; a refusal is its own request's alone."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from services.common.database import make_engine
from services.intake.service_layer.group_commit import GroupCommit

metadata = MetaData()
rows = Table("rows", metadata, Column("id", Integer, primary_key=True),
             Column("name", String, unique=True))


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def stored(engine) -> list[str]:
    with engine.connect() as db:  # a connection of its own: only what is committed
        return sorted(db.execute(select(rows.c.name)).scalars())


def adding(name: str, gate: threading.Event | None = None):
    def write(db) -> int:
        if gate is not None:
            gate.wait(10)  # holds its transaction open while the others arrive
        db.execute(insert(rows).values(name=name))
        return db.execute(select(func.count()).select_from(rows)).scalar_one()
    return write


async def test_writes_that_arrive_together_share_one_transaction_and_are_committed(engine):
    group = GroupCommit(engine)
    gate = threading.Event()
    first = asyncio.create_task(group.run(adding("a", gate)))
    await asyncio.sleep(0.05)  # "a" is being written: the others wait for its commit
    others = [asyncio.create_task(group.run(adding(name))) for name in "bcde"]
    await asyncio.sleep(0.05)
    gate.set()

    assert await first == 1
    assert "a" in stored(engine)  # answered once committed, not before
    counts = await asyncio.gather(*others)
    assert counts == [2, 3, 4, 5]  # one after the other, each seeing those before
    assert stored(engine) == ["a", "b", "c", "d", "e"]
    assert group.transactions == 2  # "a" alone, then the four that came meanwhile


async def test_a_refused_write_is_its_own_and_the_others_of_its_group_are_stored(engine):
    group = GroupCommit(engine)
    await group.run(adding("taken"))
    gate = threading.Event()
    first = asyncio.create_task(group.run(adding("a", gate)))
    await asyncio.sleep(0.05)
    names = ["b", "taken", "c"]  # "taken" breaks the unique name
    others = [asyncio.create_task(group.run(adding(name))) for name in names]
    await asyncio.sleep(0.05)
    gate.set()
    await first
    outcomes = await asyncio.gather(*others, return_exceptions=True)
    assert isinstance(outcomes[1], Exception) and "UNIQUE" in str(outcomes[1])
    assert outcomes[0] == 3 and outcomes[2] == 4
    assert stored(engine) == ["a", "b", "c", "taken"]
    # one alone, "a" alone, the group of three rolled back, then each of the three alone
    assert group.transactions == 1 + 1 + 1 + 3


async def test_a_write_alone_is_committed_before_it_is_answered(engine):
    group = GroupCommit(engine)
    assert await group.run(adding("solo")) == 1
    assert stored(engine) == ["solo"]
    with pytest.raises(Exception, match="UNIQUE"):
        await group.run(adding("solo"))
    assert stored(engine) == ["solo"]


def test_on_postgresql_each_write_has_a_transaction_of_its_own():
    # Writers run side by side there: grouping them in one thread was slower.
    from sqlalchemy import create_engine
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert GroupCommit(engine).grouped is False
