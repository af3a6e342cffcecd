"""Migration 0004 (step progress) upgrades a 0002 database with data in it, and back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.db import migrate
from bot.db.engine import create_engine


async def test_upgrade_from_0002_keeps_rows_and_adds_step_progress(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate.upgrade(engine, "0002")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO groups (id, name, created_at) VALUES (1, 'g', '2026-03-01')")
            )
            await conn.execute(
                text(
                    "INSERT INTO members (id, group_id, display_name, hidden, reminders, "
                    "created_at) VALUES (7, 1, 'ann', 0, 0, '2026-03-01')"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO checkins (member_id, group_id, local_date, checked_at, "
                    "timezone, platform, challenge_id) VALUES (7, 1, '2026-03-02', "
                    "'2026-03-02 08:00:00', 'UTC', 'console', 'http-status-codes')"
                )
            )
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.begin() as conn:
            kept = (await conn.execute(text("SELECT count(*) FROM checkins"))).scalar_one()
            assert kept == 1
            await conn.execute(
                text(
                    "INSERT INTO step_progress (member_id, step_id, group_id, status, "
                    "updated_at) VALUES (7, 'git', 1, 'done', '2026-03-02')"
                )
            )
        await migrate.downgrade(engine, "0002")
        async with engine.connect() as conn:
            names = {
                r[0]
                for r in await conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                )
            }
            assert "step_progress" not in names and "checkins" in names
    finally:
        await engine.dispose()
