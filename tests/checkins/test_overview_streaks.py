"""The dashboard overview's current-streak distribution counts every member once.

Visible members come from the streak board's score counts, hidden ones from their own
index, everyone else is streak 0: the buckets must equal a count of the stored rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_session_factory
from bot.db.models import MemberStats
from bot.db.repositories import board_roll, dashboard_figures
from bot.features.checkins import recording
from tests.checkins.test_writer import NOW, make_group, request

TODAY = NOW.date()


async def _distribution_matches(engine: AsyncEngine) -> None:
    group_id, members = await make_group(engine, 12)
    sessions = create_session_factory(engine)
    # Runs of 1 to 5 days for the first ten members; the last two never check in.
    async with sessions() as session, session.begin():
        await board_roll.roll(session, group_id, TODAY - timedelta(days=4), NOW)
        for back in range(4, -1, -1):
            day = TODAY - timedelta(days=back)
            await board_roll.roll(session, group_id, day, NOW)
            batch = [request(group_id, m, day) for i, m in enumerate(members[:10]) if i >= back * 2]
            await recording.record(session, batch, NOW)
        for member in members[:3] + members[8:9]:
            await recording.set_hidden(session, member, True, NOW)
    async with sessions() as session:
        view = await dashboard_figures.overview(session, group_id, TODAY)
        runs = dict(
            (
                await session.execute(
                    select(MemberStats.member_id, MemberStats.live_run).where(
                        MemberStats.group_id == group_id
                    )
                )
            ).all()
        )
    want: Counter[str] = Counter()
    for member in members:
        want[dashboard_figures._bucket(runs.get(member, 0))] += 1
    assert dict(view.streaks) == {
        label: want[label] for label, _, _ in dashboard_figures.STREAK_BUCKETS
    }
    assert sum(n for _, n in view.streaks) == len(members) == view.members
    assert want["4–7"] > 0 and want["0"] >= 2  # the history reached past the first buckets


async def test_sqlite_overview_streaks_count_hidden_and_idle_members(engine: AsyncEngine) -> None:
    await _distribution_matches(engine)


@pytest.mark.postgres
async def test_postgres_overview_streaks_count_hidden_and_idle_members(pg: AsyncEngine) -> None:
    await _distribution_matches(pg)
