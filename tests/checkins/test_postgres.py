"""The check-in storage on PostgreSQL: two writers at once (two instances), and boards."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.clock import FakeClock
from bot.db.engine import create_session_factory
from bot.db.models import CheckIn, MemberStats
from bot.db.repositories import board_roll
from bot.features.checkins.audit_check import verify_group
from bot.features.checkins.recording import Status
from bot.features.checkins.writer import CheckinWriter
from tests.checkins import test_consistency
from tests.checkins.test_consistency import GROUP_TZ, START, check_boards, setup_group
from tests.checkins.test_writer import NOW, POLICY, make_group, request

pytestmark = pytest.mark.postgres


async def test_two_writers_racing_on_the_same_members(pg: AsyncEngine) -> None:
    group_id, members = await make_group(pg, 200)
    writers = [CheckinWriter(pg, FakeClock(NOW), max_batch=64) for _ in range(2)]
    for writer in writers:
        await writer.start()
    rng = random.Random(3)
    # Every member checks in through both "instances" at once, some several times.
    calls = [writers[i % 2].submit(request(group_id, m)) for i in range(2) for m in members]
    calls += [writers[0].submit(request(group_id, m)) for m in rng.sample(members, 50)]
    rng.shuffle(calls)
    results = await asyncio.gather(*calls)
    for writer in writers:
        await writer.stop()
    counted = [r for r in results if r.status is Status.COUNTED]
    assert sorted(r.after.member_id for r in counted) == members
    async with pg.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(CheckIn))).scalar_one() == 200
        assert (await conn.execute(select(func.sum(MemberStats.total)))).scalar_one() == 200
    async with AsyncSession(bind=pg) as session:
        assert await verify_group(session, group_id, POLICY) == []


async def test_batches_in_flight_at_once_keep_every_figure_exact(pg: AsyncEngine) -> None:
    """Several lanes (batches committing concurrently) on the same members and days."""
    group_id, members = await make_group(pg, 120)
    writer = CheckinWriter(pg, FakeClock(NOW), max_batch=8, lanes=4)
    await writer.start()
    assert writer.lanes == 4
    rng = random.Random(11)
    days = [NOW.date() - timedelta(days=offset) for offset in (2, 1, 0)]
    # Day by day (one member's next day waits for their previous one, as in real use),
    # each day a burst with second check-ins landing in other batches in flight.
    results = []
    for day in days:
        wanted = [request(group_id, m, day) for m in members]
        wanted += [request(group_id, m, day) for m in rng.sample(members, 30)]
        rng.shuffle(wanted)
        results += await asyncio.gather(*(writer.submit(r) for r in wanted))
    assert writer.largest_batch == 8 and writer.batches >= 3 * 150 // 8
    await writer.stop()
    counted = [r for r in results if r.status is Status.COUNTED]
    assert len(counted) == 3 * len(members)
    async with pg.connect() as conn:
        rows = (await conn.execute(select(func.count()).select_from(CheckIn))).scalar_one()
        totals = (await conn.execute(select(func.sum(MemberStats.total)))).scalar_one()
    assert rows == totals == 3 * len(members)
    async with AsyncSession(bind=pg) as session:
        assert await verify_group(session, group_id, POLICY) == []


async def test_boards_and_rolls_on_postgres(pg: AsyncEngine) -> None:
    from bot.db.repositories.checkins import NewCheckin
    from bot.features.checkins import recording
    from bot.features.checkins.recording import CheckinRequest
    from bot.streaks import local_date

    group_id, members = await setup_group(pg, 6)
    sessions = create_session_factory(pg)
    rng = random.Random(9)
    for day_index in range(12):
        noon = START + timedelta(days=day_index)
        today = local_date(noon, GROUP_TZ)
        async with sessions() as session, session.begin():
            requests = [
                CheckinRequest(
                    NewCheckin(m, group_id, today, noon, "UTC", "console"), test_consistency.POLICY
                )
                for m in members
                if rng.random() < 0.7
            ]
            await recording.record(session, requests, noon)
            await board_roll.roll(session, group_id, today, noon)
            await check_boards(session, group_id, members, set(), today)
    async with sessions() as session:
        assert await verify_group(session, group_id, test_consistency.POLICY) == []


async def test_has_written_sees_the_first_write(pg: AsyncEngine) -> None:
    from bot.db.repositories.checkins import has_written
    from bot.db.repositories.stats import set_member_hidden

    _, (member,) = await make_group(pg, 1)
    async with AsyncSession(bind=pg) as session, session.begin():
        await session.execute(select(func.count()).select_from(CheckIn))
        assert not await has_written(session)
        await set_member_hidden(session, member, True)
        assert await has_written(session)


async def test_new_members_rows_are_written_once_under_racing_writers(pg: AsyncEngine) -> None:
    """First check-ins, replays and opt-outs of members without a stats row, all at once.

    On PostgreSQL a new member's ``member_stats`` row is created only under the lock of
    their ``members`` row; every writer must wait for the others, never insert twice
    (a unique violation would fail a batch) or lose a figure.
    """
    from bot.db.models import Member
    from bot.features.checkins import recording

    group_id, members = await make_group(pg, 80)
    writer = CheckinWriter(pg, FakeClock(NOW), max_batch=16, lanes=3)
    await writer.start()
    rng = random.Random(17)
    hidden = set(rng.sample(members, 20))

    async def replay(member_ids: list[int]) -> None:
        async with pg.begin() as conn:
            await recording.recompute(conn, member_ids, POLICY, NOW)

    async def hide(member_id: int) -> None:
        async with pg.begin() as conn:
            await recording.set_hidden(conn, member_id, True, NOW)

    calls = [writer.submit(request(group_id, m)) for m in members]
    calls += [replay(rng.sample(members, 8)) for _ in range(10)]
    calls += [hide(m) for m in hidden]
    rng.shuffle(calls)
    results = await asyncio.gather(*calls)
    await writer.stop()
    counted = [r for r in results if getattr(r, "status", None) is Status.COUNTED]
    assert len(counted) == len(members)
    async with pg.connect() as conn:
        rows = (
            await conn.execute(
                select(MemberStats.member_id, MemberStats.total, MemberStats.hidden, Member.hidden)
                .join(Member, Member.id == MemberStats.member_id)
                .where(MemberStats.group_id == group_id)
            )
        ).all()
    assert sorted(row[0] for row in rows) == members
    assert all(total == 1 for _, total, _, _ in rows)
    assert {m for m, _, stats_hidden, member_hidden in rows if stats_hidden and member_hidden} == (
        hidden
    )
    async with AsyncSession(bind=pg) as session:
        assert await verify_group(session, group_id, POLICY) == []
