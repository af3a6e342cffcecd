"""Migration 0006 (projects, done challenges, progress summary) upgrades a 0004 database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.db import migrate
from bot.db.engine import create_engine


async def test_upgrade_from_0004_keeps_rows_and_records_done_challenges(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate.upgrade(engine, "0004")
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
            for day, challenge in (
                ("2026-03-02", "web-basics-01"),
                ("2026-03-03", "web-basics-01"),
                ("2026-03-04", "git-02"),
                ("2026-03-05", None),
            ):
                await conn.execute(
                    text(
                        "INSERT INTO checkins (member_id, group_id, local_date, checked_at, "
                        "timezone, platform, challenge_id) VALUES (7, 1, :day, "
                        "'2026-03-02 08:00:00', 'UTC', 'console', :challenge)"
                    ),
                    {"day": day, "challenge": challenge},
                )
            await conn.execute(
                text(
                    "INSERT INTO step_progress (member_id, step_id, group_id, status, "
                    "updated_at) VALUES (7, 'git', 1, 'done', '2026-03-02')"
                )
            )
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.begin() as conn:
            kept = (await conn.execute(text("SELECT count(*) FROM checkins"))).scalar_one()
            steps = (await conn.execute(text("SELECT count(*) FROM step_progress"))).scalar_one()
            assert (kept, steps) == (4, 1)
            done = (
                await conn.execute(
                    text("SELECT challenge_id, done_on FROM challenge_done ORDER BY 1")
                )
            ).all()
            assert [tuple(map(str, row)) for row in done] == [
                ("git-02", "2026-03-04"),
                ("web-basics-01", "2026-03-02"),
            ]
            await conn.execute(
                text(
                    "INSERT INTO project_progress (member_id, project_id, group_id, status, "
                    "started_on, updated_at) VALUES (7, 'url-shortener', 1, 'active', "
                    "'2026-03-05', '2026-03-05')"
                )
            )
        await migrate.downgrade(engine, "0004")
        async with engine.connect() as conn:
            names = {
                r[0]
                for r in await conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                )
            }
            assert "project_progress" not in names and "challenge_done" not in names
            assert "step_progress" in names and "checkins" in names
    finally:
        await engine.dispose()
