"""The batching check-in writer on a real migrated SQLite file: bursts, failures, shutdown."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.clock import FakeClock
from bot.db.models import CheckIn, MemberStats
from bot.db.repositories.checkins import NewCheckin
from bot.features.checkins.audit_check import verify_group
from bot.features.checkins.recording import CheckinRequest, Status
from bot.features.checkins.writer import CheckinWriter, WriterClosed
from bot.streaks import StreakPolicy
from tests.checkins.helpers import insert_group

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
POLICY = StreakPolicy()


async def make_group(engine: AsyncEngine, members: int) -> tuple[int, list[int]]:
    return await insert_group(engine, members, created_at=NOW)


def request(group_id: int, member_id: int, day: date = TODAY) -> CheckinRequest:
    return CheckinRequest(NewCheckin(member_id, group_id, day, NOW, "UTC", "console"), POLICY)


async def test_concurrent_burst_loses_nothing_and_counts_each_day_once(engine: AsyncEngine) -> None:
    group_id, members = await make_group(engine, 400)
    writer = CheckinWriter(engine, FakeClock(NOW), max_batch=128)
    await writer.start()
    rng = random.Random(5)
    wanted = [request(group_id, m) for m in members] + [
        request(group_id, m) for m in rng.sample(members, 120)
    ]
    rng.shuffle(wanted)
    results = await asyncio.gather(*(writer.submit(r) for r in wanted))
    await writer.stop()
    counted = [r for r in results if r.status is Status.COUNTED]
    assert len(counted) == 400 and {r.after.member_id for r in counted} == set(members)
    assert sum(r.status is Status.ALREADY for r in results) == 120
    assert writer.batches > 1 and writer.largest_batch <= 128  # really batched
    async with engine.connect() as conn:
        rows = (await conn.execute(select(func.count()).select_from(CheckIn))).scalar_one()
        totals = (await conn.execute(select(func.sum(MemberStats.total)))).scalar_one()
        assert rows == totals == 400
    async with AsyncSession(bind=engine) as session:
        assert await verify_group(session, group_id, POLICY) == []


async def test_one_bad_checkin_fails_alone(engine: AsyncEngine) -> None:
    group_id, members = await make_group(engine, 3)
    writer = CheckinWriter(engine, FakeClock(NOW))
    await writer.start()
    bad = request(group_id, 999_999)  # no such member: the foreign key refuses it
    results = await asyncio.gather(
        *(writer.submit(request(group_id, m)) for m in members),
        writer.submit(bad),
        return_exceptions=True,
    )
    await writer.stop()
    assert [r.status for r in results[:3]] == [Status.COUNTED] * 3  # type: ignore[union-attr]
    assert isinstance(results[3], Exception)
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(CheckIn))).scalar_one() == 3


async def test_stop_commits_everything_queued_then_refuses(engine: AsyncEngine) -> None:
    group_id, members = await make_group(engine, 50)
    writer = CheckinWriter(engine, FakeClock(NOW), max_batch=8)
    await writer.start()
    pending = [asyncio.ensure_future(writer.submit(request(group_id, m))) for m in members]
    await asyncio.sleep(0)  # all queued, most not yet written
    await writer.stop()
    async with engine.connect() as conn:  # committed before stop() returned
        assert (await conn.execute(select(func.count()).select_from(CheckIn))).scalar_one() == 50
    results = await asyncio.wait_for(asyncio.gather(*pending), timeout=5)
    assert {result.status for result in results} == {Status.COUNTED}
    with pytest.raises(WriterClosed):
        await writer.submit(request(group_id, members[0]))


async def test_a_caller_that_gives_up_does_not_cancel_the_write(engine: AsyncEngine) -> None:
    group_id, members = await make_group(engine, 1)
    writer = CheckinWriter(engine, FakeClock(NOW))
    await writer.start()
    task = asyncio.ensure_future(writer.submit(request(group_id, members[0])))
    await asyncio.sleep(0)
    task.cancel()
    await writer.stop()
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(CheckIn))).scalar_one() == 1


async def test_same_member_several_days_in_one_batch(engine: AsyncEngine) -> None:
    group_id, (member,) = await make_group(engine, 1)
    writer = CheckinWriter(engine, FakeClock(NOW))
    await writer.start()
    days = [date(2026, 3, d) for d in (4, 2, 3, 3)]
    results = await asyncio.gather(*(writer.submit(request(group_id, member, d)) for d in days))
    await writer.stop()
    assert [r.status for r in results] == [
        Status.COUNTED,
        Status.COUNTED,
        Status.COUNTED,
        Status.ALREADY,
    ]
    assert results[-1].after.state.run == 3
    backfill = replace(request(group_id, member, date(2026, 3, 1)), backfill=True)
    writer = CheckinWriter(engine, FakeClock(NOW))
    await writer.start()
    result = await writer.submit(backfill)
    await writer.stop()
    assert result.status is Status.COUNTED and result.after.state.run == 4


async def test_has_written_on_sqlite(engine: AsyncEngine) -> None:
    from bot.db.repositories.checkins import has_written
    from bot.db.repositories.stats import set_member_hidden

    _, (member,) = await make_group(engine, 1)
    async with AsyncSession(bind=engine) as session, session.begin():
        await session.execute(select(func.count()).select_from(CheckIn))
        assert not await has_written(session)
        await set_member_hidden(session, member, True)
        assert await has_written(session)
