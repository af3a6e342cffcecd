"""INSERT … ON CONFLICT DO NOTHING for SQLite and PostgreSQL.

Used instead of a savepoint around a plain INSERT: with SQLite's driver a savepoint that
opens a transaction commits on release, so a later rollback would not undo it.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_or_ignore(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    conflict_columns: list[str],
) -> bool:
    """Insert one row unless it would violate the unique key; ``True`` if it went in."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql_insert(model).values(**values)
    elif dialect == "sqlite":
        statement = sqlite_insert(model).values(**values)
    else:
        raise NotImplementedError(f"insert_or_ignore does not support {dialect}")
    statement = statement.on_conflict_do_nothing(index_elements=conflict_columns)
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount == 1
