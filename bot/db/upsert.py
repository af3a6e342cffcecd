"""The one dialect helper: ``INSERT … ON CONFLICT`` for SQLite and PostgreSQL.

:func:`upsert` builds the dialect's ``INSERT`` (with ``on_conflict_do_nothing`` /
``on_conflict_do_update``) for any table; :func:`insert_or_ignore` is the one-row case.
Nothing else in ``bot`` chooses an ``INSERT`` by dialect: the post ledger, the inbox, the
database copy and the repositories all build theirs here. The check-in hot path writes
driver-level SQL for speed (``bulk.py`` and ``stats_sqlite.py`` on SQLite, asked through
:func:`is_sqlite`; ``postgres_bulk.py`` on PostgreSQL, asked through its ``applies``).
:func:`insert_or_ignore` is used instead of a savepoint around a plain INSERT: with
SQLite's driver a savepoint that opens a transaction commits on release, so a later
rollback would not undo it.
"""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import DeclarativeBase

Executor: TypeAlias = AsyncSession | AsyncConnection
"""Where SQL runs: a handler's session or the writer's connection."""


def dialect_name(db: Executor) -> str:
    """``"sqlite"`` or ``"postgresql"``: the database behind ``db``."""
    if isinstance(db, AsyncSession):
        return db.get_bind().dialect.name
    return db.dialect.name


def is_sqlite(db: Executor) -> bool:
    """Whether ``db`` is SQLite: the predicate the driver-level fast paths switch on."""
    return dialect_name(db) == "sqlite"


def upsert(db: Executor, table: Table | type[DeclarativeBase]) -> Any:
    """An ``INSERT`` for ``table`` with ``ON CONFLICT`` support on either database."""
    dialect = dialect_name(db)
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upsert does not support {dialect}")


async def insert_or_ignore(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    conflict_columns: list[str],
) -> bool:
    """Insert one row unless it would violate the unique key; ``True`` if it went in."""
    statement = upsert(session, model).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=conflict_columns)
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount == 1
