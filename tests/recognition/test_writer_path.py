"""Earning inside the batching check-in writer (its own connection, not a session)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.db.models_recognition import Award
from bot.db.repositories import settings as settings_repo
from bot.db.repositories.checkins import NewCheckin
from bot.features.checkins.checkin_service import checkins_of
from bot.features.checkins.recording import CheckinRequest, Status
from bot.features.checkins.rules import policy_from
from tests.linking.support import DISCORD, member_of
from tests.support.harness import BotHarness

MON = date(2026, 3, 2)


async def test_the_writer_earns_badges_and_queues_role_rewards(bot: BotHarness) -> None:
    added = await bot.cmd("/admin rewards role streak-3 <@&42>", user="mod", platform=DISCORD)
    assert "from now on" in added.text
    await bot.cmd("/help", user="ann", platform=DISCORD)
    member = await member_of(bot.services, DISCORD, "ann")
    async with bot.services.sessions() as session:
        policy = policy_from(await settings_repo.load(session, member.group_id))
    writer = checkins_of(bot.services).writer
    assert writer is not None and writer.running
    results = []
    for offset in range(3):
        checkin = NewCheckin(
            member_id=member.id,
            group_id=member.group_id,
            local_date=MON + timedelta(days=offset),
            checked_at=bot.clock.now() + timedelta(days=offset),
            timezone="UTC",
            platform="discord",
        )
        results.append(await writer.submit(CheckinRequest(checkin, policy)))
    assert [r.status for r in results] == [Status.COUNTED] * 3
    assert [m.id for m in results[-1].earned] == ["streak-3"]
    assert writer.batches >= 3  # each went through the writer's own connection
    async with bot.services.sessions() as session:
        award = (await session.execute(select(Award))).scalar_one()
    assert (award.milestone, award.roles, award.state) == ("streak-3", "pending", "pending")
