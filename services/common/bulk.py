"""Statements that write a whole batch of rows at once and say which they wrote.

A batch of 2,000 events written through SQLAlchemy's ``executemany`` spent a
third of its time turning each row's parameters into the driver's (SQLAlchemy
processes every value of every row in Python), and psycopg sends PostgreSQL
one statement per row. Here the statements are written for each database:

- PostgreSQL: the rows travel as one parameter, a JSON array of rows
  (``json.dumps``, in C) that the server takes apart with
  ``jsonb_array_elements``: one statement and one round trip per batch, no
  per-value work in Python (psycopg dumps arrays, or many parameters, value
  by value: 9 to 12 times the client's CPU), and ``jsonb`` rather than
  ``json``, which the server would parse again for every column (3 times its
  time).
- SQLite, in the process: multi-row ``VALUES`` with plain positional
  parameters, a few hundred rows per statement (half the CPU of reading the
  rows out of JSON, whose every field is parsed again).

The statement text is fixed per table, columns and row count, so it is built
once and the database keeps it prepared; ``RETURNING`` says which rows were
written, so that no query has to ask beforehand. Values a column has in every
row (the batch's ``updated_at``) are passed once, as constants, processed by
the column's own type.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Connection, Table
from sqlalchemy.dialects import postgresql

# SQLite rows per statement: within the bound parameters SQLite allows (32,766
# since 3.32, 999 before).
_SQLITE_VARIABLES = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
_SQLITE_ROWS = 500


def insert_new(connection: Connection, table: Table, columns: Sequence[str],
               rows: Sequence[Sequence[Any]]) -> list[tuple]:
    """INSERT the rows whose primary key is not stored yet (nor earlier in
    ``rows``); the primary keys of the rows inserted, in no particular order."""
    return _write(connection, table, tuple(columns), rows, {}, None)


def upsert_newer(connection: Connection, table: Table, columns: Sequence[str],
                 rows: Sequence[Sequence[Any]], constants: dict[str, Any],
                 version: str = "entity_version") -> list[tuple]:
    """INSERT the rows, or UPDATE a stored row with the same primary key only if
    its ``version`` is lower; the primary keys of the rows written. A primary key
    must appear once in ``rows`` (a statement cannot change a row twice)."""
    return _write(connection, table, tuple(columns), rows, constants, version)


def _write(connection: Connection, table: Table, columns: tuple[str, ...],
           rows: Sequence[Sequence[Any]], constants: dict[str, Any],
           version: str | None) -> list[tuple]:
    if not rows:
        return []
    dialect = connection.dialect
    fixed = []
    for name, value in constants.items():
        processor = table.c[name].type.bind_processor(dialect)
        fixed.append(processor(value) if processor else value)
    names = tuple(constants)
    if dialect.name == "postgresql":
        sql = _postgresql(table, columns, names, version)
        parameters = {"rows": json.dumps(rows, ensure_ascii=False)}
        parameters.update((f"k{index}", value) for index, value in enumerate(fixed))
        return [tuple(row) for row in connection.exec_driver_sql(sql, parameters).all()]
    if dialect.name != "sqlite":  # pragma: no cover - the services ship for these two
        raise NotImplementedError(f"no bulk statements for {dialect.name}")
    per_statement = max(1, min(_SQLITE_ROWS, (_SQLITE_VARIABLES - len(fixed)) // len(columns)))
    written: list[tuple] = []
    for start in range(0, len(rows), per_statement):
        part = rows[start:start + per_statement]
        sql = _sqlite(table, columns, names, version, len(part))
        parameters = (*fixed, *itertools.chain.from_iterable(part))
        written.extend(tuple(row) for row in connection.exec_driver_sql(sql, parameters).all())
    return written


@lru_cache(maxsize=64)
def _postgresql(table: Table, columns: tuple[str, ...], constants: tuple[str, ...],
                version: str | None) -> str:
    values = [f"CAST(j.value ->> {index} AS {_pg_type(table.c[name])})"
              for index, name in enumerate(columns)]
    fixed = [f"CAST(%(k{index})s AS {_pg_type(table.c[name])})"
             for index, name in enumerate(constants)]
    source = (f"SELECT {', '.join([*values, *fixed])} "
              f"FROM jsonb_array_elements(CAST(%(rows)s AS jsonb)) AS j(value)")
    return _insert(table, (*columns, *constants), source, version)


@lru_cache(maxsize=512)
def _sqlite(table: Table, columns: tuple[str, ...], constants: tuple[str, ...],
            version: str | None, count: int) -> str:
    # Numbered parameters: the constants first (?1 ...), named once, used in every row.
    first = len(constants) + 1
    width = len(columns)
    fixed = ", ".join(f"?{index + 1}" for index in range(len(constants)))
    rows = ", ".join(
        "(" + ", ".join([*(f"?{first + row * width + index}" for index in range(width)),
                         *([fixed] if fixed else [])]) + ")"
        for row in range(count))
    return _insert(table, (*columns, *constants), f"VALUES {rows}", version)


def _insert(table: Table, target: tuple[str, ...], source: str, version: str | None) -> str:
    """INSERT from ``source``, then the conflict clause (nothing, or the newer
    version's columns), then RETURNING the primary key."""
    key = [column.name for column in table.primary_key.columns]
    name = _quoted(table.name)
    sql = f"INSERT INTO {name} ({', '.join(map(_quoted, target))}) {source} "
    if version is None:
        sql += "ON CONFLICT DO NOTHING"
    else:
        changed = [column for column in target if column not in key]
        sets = ", ".join(f"{_quoted(column)} = excluded.{_quoted(column)}" for column in changed)
        sql += (f"ON CONFLICT ({', '.join(map(_quoted, key))}) DO UPDATE SET {sets} "
                f"WHERE {name}.{_quoted(version)} < excluded.{_quoted(version)}")
    return sql + f" RETURNING {', '.join(map(_quoted, key))}"


def _pg_type(column: Column) -> str:
    return column.type.compile(dialect=postgresql.dialect())


def _quoted(name: str) -> str:
    return f'"{name}"'
