"""``studybot db copy``: move every row from one database to another (SQLite → PostgreSQL).

The target is migrated to the head revision first; the source must already be there, so
both have the same tables. Tables are copied in foreign-key order inside one target
transaction, rows keep their ids, and every row is an upsert on its primary key, so a
second run (after an interruption, or to pick up rows written since) converges instead
of duplicating. The source is read in one transaction, i.e. from one consistent
snapshot. Afterwards the row counts of both sides are compared table by table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.progress import Progress
from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db import migrate, models  # noqa: F401  (models registers every table)
from bot.db.base import Base
from bot.db.engine import create_engine, normalise_url
from bot.db.upsert import upsert

DEFAULT_BATCH = 1000


class CopyError(Exception):
    """The copy cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class TableCount:
    """Rows of one table on both sides after a copy."""

    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        """Whether both sides hold the same number of rows."""
        return self.source == self.target


def display_url(url: str) -> str:
    """``url`` with any password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def tables() -> Sequence[Table]:
    """Every table of the schema, parents before children."""
    return Base.metadata.sorted_tables


async def copy_database(
    source_url: str,
    target_url: str,
    *,
    batch: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> list[TableCount]:
    """Copy every row of ``source_url`` into ``target_url`` and count both sides.

    Args:
        source_url: Where the data is (any URL ``DATABASE_URL`` accepts).
        target_url: Where it goes; migrated to head first.
        batch: Rows per insert statement.
        progress: A progress display to add one task per table to.

    Returns:
        The row counts per table, in copy order.

    Raises:
        CopyError: If both URLs are the same database, the source is not at the head
            revision, or the target holds conflicting rows.
    """
    if batch < 1:
        raise CopyError("--batch must be at least 1")
    if normalise_url(source_url) == normalise_url(target_url):
        raise CopyError("the source and the target are the same database")
    source = create_engine(source_url)
    target = create_engine(target_url)
    try:
        await _check_source(source, source_url)
        await migrate.upgrade(target)
        counts = await _copy_all(source, target, batch, progress)
        return [
            TableCount(table.name, counts[table.name], await _count(target, table))
            for table in tables()
        ]
    finally:
        await source.dispose()
        await target.dispose()


async def _check_source(source: AsyncEngine, url: str) -> None:
    revision = await migrate.current_revision(source)
    head = migrate.head_revision()
    if revision is None:
        raise CopyError(f"{display_url(url)} has no studybot tables (nothing to copy)")
    if revision != head:
        raise CopyError(
            f"the source is at revision {revision} but this version of studybot expects "
            f"{head}: run `studybot db upgrade` with DATABASE_URL set to the source first"
        )


async def _copy_all(
    source: AsyncEngine, target: AsyncEngine, batch: int, progress: Progress | None
) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with source.connect() as reader:
        if source.dialect.name == "postgresql":
            reader = await reader.execution_options(isolation_level="REPEATABLE READ")
        async with reader.begin(), target.begin() as writer:
            for table in tables():
                counts[table.name] = await _count_on(reader, table)
            for table in tables():
                task = None
                if progress is not None:
                    task = progress.add_task(table.name, total=counts[table.name])
                await _copy_table(reader, writer, table, batch, progress, task)
            if target.dialect.name == "postgresql":
                await _reset_sequences(writer)
    return counts


async def _copy_table(
    reader: AsyncConnection,
    writer: AsyncConnection,
    table: Table,
    batch: int,
    progress: Progress | None,
    task: Any,
) -> None:
    statement = _upsert(writer, table)
    rows = await reader.stream(select(table).order_by(*table.primary_key.columns))
    async for chunk in rows.mappings().partitions(batch):
        try:
            await writer.execute(statement, [dict(row) for row in chunk])
        except IntegrityError as exc:
            raise CopyError(
                f"the target already holds different rows in `{table.name}` that clash with "
                "the source's (same unique values, other ids). Copy into an empty database, "
                f"or one filled only by earlier copies. ({exc.orig})"
            ) from exc
        if progress is not None:
            progress.advance(task, len(chunk))


def _upsert(writer: AsyncConnection, table: Table) -> Any:
    """INSERT … ON CONFLICT (primary key) DO UPDATE on the target's database."""
    statement = upsert(writer, table)
    keys = [column.name for column in table.primary_key.columns]
    others = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    if not others:
        return statement.on_conflict_do_nothing(index_elements=keys)
    return statement.on_conflict_do_update(index_elements=keys, set_=others)


async def _reset_sequences(writer: AsyncConnection) -> None:
    # Rows arrived with explicit ids, which PostgreSQL sequences do not notice; without
    # this the bot's next insert would collide with a copied id.
    for table in tables():
        column = table.autoincrement_column
        if column is None:
            continue
        await writer.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'
            )
        )


async def _count(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as connection:
        return await _count_on(connection, table)


async def _count_on(connection: AsyncConnection, table: Table) -> int:
    return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())
