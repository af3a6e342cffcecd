"""Migration 0002 derives the new leaderboard figures of existing rows, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import migrate
from bot.db.engine import create_engine

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


async def _fill_and_check(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine, "0001")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO groups (id, name, created_at) VALUES (1, 'g', :t)"),
                {"t": NOW.replace(tzinfo=None)},
            )
            for member_id, hidden in ((1, False), (2, True)):
                await conn.execute(
                    text(
                        "INSERT INTO members (id, group_id, display_name, hidden, reminders, "
                        "created_at) VALUES (:id, 1, :name, :hidden, false, :t)"
                    ),
                    {
                        "id": member_id,
                        "name": f"m{member_id}",
                        "hidden": hidden,
                        "t": NOW.replace(tzinfo=None),
                    },
                )
                await conn.execute(
                    text(
                        "INSERT INTO member_stats (member_id, group_id, run, longest, total, "
                        "freezes, progress, freezes_used, hidden, updated_at) "
                        "VALUES (:id, 1, 3, 3, 3, 0, 3, 0, :hidden, :t)"
                    ),
                    {"id": member_id, "hidden": hidden, "t": NOW.replace(tzinfo=None)},
                )
            # Sunday 1 March and Monday 2, 3 March: two weeks, one month.
            for member_id in (1, 2):
                for day in (date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)):
                    await conn.execute(
                        text(
                            "INSERT INTO checkins (member_id, group_id, local_date, checked_at, "
                            "timezone, platform) VALUES (:m, 1, :d, :t, 'UTC', 'console')"
                        ),
                        {"m": member_id, "d": day, "t": NOW.replace(tzinfo=None)},
                    )
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            counts = (
                await conn.execute(
                    text(
                        "SELECT member_id, period, start, checkins, hidden FROM checkin_counts "
                        "ORDER BY member_id, period, start"
                    )
                )
            ).all()
            stats = (
                await conn.execute(
                    text(
                        "SELECT member_id, live_run, last_day, recent FROM member_stats "
                        "ORDER BY member_id"
                    )
                )
            ).all()
        as_dates = [
            (m, p, s if isinstance(s, date) else date.fromisoformat(s), n, bool(h))
            for m, p, s, n, h in counts
        ]
        assert as_dates == [
            (1, "month", date(2026, 3, 1), 3, False),
            (1, "week", date(2026, 2, 23), 1, False),
            (1, "week", date(2026, 3, 2), 2, False),
            (2, "month", date(2026, 3, 1), 3, True),
            (2, "week", date(2026, 2, 23), 1, True),
            (2, "week", date(2026, 3, 2), 2, True),
        ]
        assert [(m, live, str(last), recent) for m, live, last, recent in stats] == [
            (1, 3, "2026-03-03", 0),
            (2, 3, "2026-03-03", 0),
        ]
        await migrate.downgrade(engine, "0001")
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def test_sqlite_fill(tmp_path: Path) -> None:
    await _fill_and_check(f"sqlite+aiosqlite:///{tmp_path / 'fill.db'}")


@pytest.mark.postgres
async def test_postgres_fill(postgres_url: str) -> None:
    await _fill_and_check(postgres_url)
