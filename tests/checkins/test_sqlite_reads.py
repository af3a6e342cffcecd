"""The writer's driver-level reads on SQLite return what the Core statements return."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import BoardState, Member
from bot.db.repositories import board_figures, stats, streak_inputs
from tests.checkins.helpers import insert_group

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


async def test_excuses_and_board_days_match_the_core_reads(engine: AsyncEngine) -> None:
    rng = random.Random(7)
    first, first_members = await insert_group(engine, 30, created_at=NOW)
    second, second_members = await insert_group(engine, 10, created_at=NOW)
    members = first_members + second_members
    start = date(2026, 2, 1)
    async with engine.begin() as conn:
        for group, own in ((first, first_members), (second, second_members)):
            days = [start + timedelta(days=rng.randrange(40)) for _ in range(6)]
            await stats.add_excused(conn, group, None, days, "group", NOW)
            for member in rng.sample(own, 5):
                days = [start + timedelta(days=rng.randrange(40)) for _ in range(3)]
                await stats.add_excused(conn, group, member, days, "own", NOW)
        await conn.execute(insert(BoardState).values(group_id=first, day=start, updated_at=NOW))
        # A member moved to the other group meanwhile.
        await conn.execute(
            Member.__table__.update()  # type: ignore[attr-defined]
            .where(Member.id == first_members[0])
            .values(group_id=second)
        )
    async with engine.connect() as conn:
        for since in (None, start, start + timedelta(days=17), start + timedelta(days=60)):
            asked = rng.sample(members, 12)
            fast = await streak_inputs._sqlite_excused_rows(conn, [first, second], asked, since)
            core = await streak_inputs._excused_rows(conn, [first, second], asked, since)
            assert sorted(fast, key=repr) == sorted(core, key=repr)
            assert fast or since is not None
        assert await board_figures.board_days(conn, [first, second, 10**6]) == {
            first: start,
            second: None,
            10**6: None,
        }
