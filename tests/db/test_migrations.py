"""The real Alembic migrations: upgrade, no drift against the models, down and up again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.base import Base
from bot.db.engine import create_engine

EXPECTED_TABLES = {
    "groups",
    "spaces",
    "members",
    "identities",
    "checkins",
    "member_stats",
    "posts",
    "settings",
    "audit_log",
    "excused_days",
    "streak_overrides",
    "rotation",
    "link_codes",
}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    return names - {"alembic_version"}


async def _drift(engine: AsyncEngine) -> list[object]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
            )
        )


async def _round_trip(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == migrate.head_revision()
    assert await _tables(engine) >= EXPECTED_TABLES
    assert await _drift(engine) == [], "models and migrations disagree: write a migration"
    await migrate.downgrade(engine, "base")
    assert await _tables(engine) == set()
    await migrate.upgrade(engine)
    assert await _tables(engine) >= EXPECTED_TABLES


async def test_sqlite_upgrade_check_downgrade_upgrade(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await _round_trip(engine)
        async with engine.connect() as conn:
            mode = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            fks = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
        assert mode == "wal" and fks == 1
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgres_upgrade_check_downgrade_upgrade(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        await _round_trip(engine)
    finally:
        await engine.dispose()
