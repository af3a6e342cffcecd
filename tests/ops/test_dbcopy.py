"""``studybot db copy``: every row to another database, verified, safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import migrate
from bot.db.dbcopy import CopyError, copy_database
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Base, Group, Member, Space
from tests.ops.conftest import CliResult
from tests.ops.seed import SEEDED_TABLES, dump, seed

NOW = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


async def add_member(url: str, name: str) -> int:
    """What the bot does on first contact: insert without an explicit id."""
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            member = Member(
                group_id=1,
                display_name=name,
                timezone=None,
                hidden=False,
                reminders=False,
                created_at=NOW,
            )
            session.add(member)
            await session.flush()
            return member.id
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_sqlite_to_postgresql_copies_every_row_and_can_run_again(
    sqlite_url: str, postgres_url: str
) -> None:
    await seed(sqlite_url, members=6, days=5)
    counts = await copy_database(sqlite_url, postgres_url, batch=7)
    assert [c.table for c in counts] == [t.name for t in Base.metadata.sorted_tables]
    assert all(c.matches for c in counts), counts
    by_table = {c.table: c.source for c in counts}
    assert by_table["checkins"] == 30 and by_table["members"] == 6
    assert all(by_table[name] > 0 for name in SEEDED_TABLES)
    assert await dump(postgres_url) == await dump(sqlite_url)  # values, not just counts

    again = await copy_database(sqlite_url, postgres_url)  # idempotent
    assert again == counts
    assert await dump(postgres_url) == await dump(sqlite_url)

    # Rows the bot wrote to the source meanwhile are picked up by another run.
    await add_member(sqlite_url, "late arrival")
    third = await copy_database(sqlite_url, postgres_url)
    assert all(c.matches for c in third)
    assert {c.table: c.target for c in third}["members"] == 7

    # The bot then works on PostgreSQL: sequences continue after the copied ids.
    assert await add_member(postgres_url, "first on postgres") == 8


async def test_sqlite_to_sqlite_copy_matches(sqlite_url: str, tmp_path: Path) -> None:
    await seed(sqlite_url)
    target = f"sqlite:///{tmp_path / 'copy' / 'target.db'}"
    counts = await copy_database(sqlite_url, target, batch=3)
    assert all(c.matches for c in counts)
    assert await dump(target) == await dump(sqlite_url)


async def test_the_same_database_is_refused(sqlite_url: str) -> None:
    with pytest.raises(CopyError, match="same database"):
        await copy_database(sqlite_url, sqlite_url.replace("+aiosqlite", ""))


async def test_a_source_behind_the_code_is_refused(tmp_path: Path) -> None:
    empty = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(CopyError, match="no studybot tables"):
        await copy_database(empty, f"sqlite+aiosqlite:///{tmp_path / 't.db'}")


async def test_clashing_rows_in_the_target_stop_the_copy_cleanly(
    sqlite_url: str, tmp_path: Path
) -> None:
    await seed(sqlite_url)
    target = f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}"
    engine = create_engine(target)
    try:
        await migrate.upgrade(engine)
        async with create_session_factory(engine)() as session, session.begin():
            session.add(Group(id=50, name="already here", created_at=NOW))
            await session.flush()
            session.add(
                Space(
                    id=50,
                    group_id=50,
                    platform="discord",
                    external_id="900000000000000001",
                    name="same guild",
                    created_at=NOW,
                )
            )
    finally:
        await engine.dispose()
    with pytest.raises(CopyError, match="clash"):
        await copy_database(sqlite_url, target)
    assert (await dump(target))["groups"] == [(50, "already here", NOW)]  # rolled back


def test_cli_copy_prints_verified_counts(
    cli: Callable[..., CliResult], sqlite_url: str, tmp_path: Path
) -> None:
    import asyncio

    asyncio.run(seed(sqlite_url))
    target = f"sqlite:///{tmp_path / 'cli.db'}"
    result = cli("db", "copy", "--to", target, url=sqlite_url)
    assert result.code == 0, result.err
    assert "copy verified" in result.out
    assert any(line.split()[:3] == ["checkins", "20", "20"] for line in result.out.splitlines())
    bad = cli("db", "copy", "--to", target, "--batch", "0")
    assert bad.code == 1 and "--batch" in bad.err
