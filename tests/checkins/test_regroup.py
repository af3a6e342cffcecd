"""A check-in queued before its member moved group is stored in the member's group now."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.models import Platform
from bot.db.models import CheckIn, Group, Member
from bot.db.repositories.checkins import NewCheckin
from bot.features.checkins.recording import CheckinRequest, Status, record
from bot.streaks import StreakPolicy
from tests.support.harness import BotHarness


async def test_stale_group_id_is_replaced_by_the_members_current_group(bot: BotHarness) -> None:
    await bot.cmd("/help", user="ann")
    await bot.cmd("/help", user="zed", platform=Platform.SLACK)  # a second, separate group
    async with bot.services.sessions() as session:
        ann = (
            await session.execute(select(Member).where(Member.display_name == "ann"))
        ).scalar_one()
        other = (
            await session.execute(select(Group.id).where(Group.id != ann.group_id))
        ).scalar_one()
    now = bot.clock.now()
    stale = NewCheckin(ann.id, other, now.date(), now, "UTC", "console")
    async with bot.services.sessions() as session, session.begin():
        [result] = await record(session, [CheckinRequest(stale, StreakPolicy())], now)
    assert result.status is Status.COUNTED
    async with bot.services.sessions() as session:
        stored = (await session.execute(select(CheckIn.group_id))).scalars().all()
    assert stored == [ann.group_id]
