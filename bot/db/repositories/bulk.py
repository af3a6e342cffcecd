"""Bulk statements for the check-in writer's hot path on SQLite, at the driver level.

A batch of 500 check-ins writes ~2,000 rows. Through SQLAlchemy every row's parameters
are processed one by one in Python (about 10-15 µs a row here), more than SQLite itself
spends; these helpers hand the driver plain tuples in the very formats SQLAlchemy stores
on SQLite (ISO dates, ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC datetimes, 0/1 booleans), so the
rows read back exactly as if SQLAlchemy had written them. PostgreSQL has its own
driver-level statements (:mod:`bot.db.repositories.postgres_bulk`: arrays for asyncpg).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.upsert import Executor

# SQLite caps the parameters of one statement at 32,766 (since 3.32).
MAX_PARAMS = 32_000


async def connection_of(db: Executor) -> AsyncConnection:
    """The connection a session or connection runs on (in its transaction)."""
    return await db.connection() if isinstance(db, AsyncSession) else db


async def driver_of(db: Executor) -> Any:
    """The aiosqlite connection under a session or connection, in the same transaction.

    A statement through SQLAlchemy's aiosqlite adapter makes four trips to aiosqlite's
    thread (open a cursor, execute, fetch, close), each through a greenlet switch;
    aiosqlite's own ``execute_fetchall`` and ``executemany`` make one. The sqlite3
    connection is the same, so its transaction (begun by the first write, committed by
    SQLAlchemy) is the caller's.
    """
    raw = await (await connection_of(db)).get_raw_connection()
    return raw.driver_connection


@functools.lru_cache(maxsize=4096)
def _timestamp(value: datetime) -> str:
    # Cached: a batch stores the same few instants (its updated_at, the check-in times).
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def parse_date(value: str | None) -> date | None:
    """A date column as read back from SQLite."""
    return None if value is None else date.fromisoformat(value)


def parse_timestamp(value: str | None) -> datetime | None:
    """A UTC datetime column as read back from SQLite (aware)."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


# By exact type: one dictionary lookup per value (bool before int matters: it is a subclass).
_CONVERT: dict[type, Callable[[Any], Any]] = {
    datetime: _timestamp,
    date: date.isoformat,
    bool: int,
}


def timestamp(value: datetime) -> str:
    """An aware datetime as SQLAlchemy stores it on SQLite (UTC, no offset)."""
    return _timestamp(value)


def sqlite_value(value: Any) -> Any:
    """A Python value as SQLAlchemy stores it on SQLite."""
    convert = _CONVERT.get(type(value))
    return value if convert is None else convert(value)


async def executemany(db: Executor, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one statement for every row (values converted for SQLite)."""
    if rows:
        driver = await driver_of(db)
        await driver.executemany(sql, [tuple(sqlite_value(v) for v in row) for row in rows])


async def insert_returning(
    db: Executor,
    head: str,
    tail: str,
    rows: Sequence[Sequence[Any]],
    *,
    converted: bool = False,
    parenthesized: bool = False,
) -> list[tuple[Any, ...]]:
    """``{head} VALUES (…), (…) {tail}`` in as few statements as the parameter cap allows.

    Args:
        db: Session or connection.
        head: ``INSERT INTO t (a, b)``.
        tail: E.g. ``ON CONFLICT (a) DO NOTHING RETURNING a, b``.
        rows: The values, all rows of the same width.
        converted: The values are already as SQLite stores them (see
            :func:`sqlite_value`); skips converting each one again.
        parenthesized: Wrap the ``VALUES`` list in parentheses, as a subquery for an
            ``INSERT … SELECT`` (``{head} (VALUES …) {tail}``).

    Returns:
        Every returned row.
    """
    if not rows:
        return []
    driver = await driver_of(db)
    width = len(rows[0])
    per_statement = max(1, MAX_PARAMS // width)
    found: list[tuple[Any, ...]] = []
    for first in range(0, len(rows), per_statement):
        chunk = rows[first : first + per_statement]
        values = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(chunk))
        if converted:
            params = tuple(v for row in chunk for v in row)
        else:
            params = tuple(sqlite_value(v) for row in chunk for v in row)
        rows_sql = f"(VALUES {values})" if parenthesized else f"VALUES {values}"
        found += await driver.execute_fetchall(f"{head} {rows_sql} {tail}", params)
    return found


async def select_in(db: Executor, sql: str, *lists: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` whose ``{0}``, ``{1}``… are ``IN (?, ?, …)`` lists of ``lists``' values.

    For the writer's small reads by member and group ids, without compiling a Core
    ``IN`` (its expanding parameters cost more than SQLite's answer). Each list must be
    non-empty and together under the parameter cap.
    """
    driver = await driver_of(db)
    marks = ["(" + ", ".join("?" * len(values)) + ")" for values in lists]
    params = tuple(sqlite_value(v) for values in lists for v in values)
    return list(await driver.execute_fetchall(sql.format(*marks), params))
