"""Celebrations through the posts ledger: once each, batched, in the chosen place."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from bot.db.models import CheckIn, Identity, Member, Post, Space
from bot.db.models_recognition import Award
from bot.db.repositories import settings as settings_repo
from bot.features.awards.celebrate import celebrations_of
from bot.features.checkins import recording
from bot.features.checkins.rules import policy_from
from bot.features.schedule.runtime import runtime_of
from tests.support.harness import BotHarness

MON = date(2026, 3, 2)  # the harness clock's first day


async def settle(bot: BotHarness) -> None:
    await runtime_of(bot.services).settle()


def celebrations(bot: BotHarness) -> list[str]:
    return [m.reply.text for m in bot.adapter.sent if (m.reply.title or "").startswith("Milest")]


async def three_days(bot: BotHarness, user: str = "ann") -> None:
    for index in range(3):
        if index:
            bot.clock.advance(timedelta(days=1))
        await bot.cmd("/done", user=user)
    await settle(bot)


async def post_rows(bot: BotHarness) -> list[Post]:
    async with bot.services.sessions() as session:
        query = select(Post).where(Post.kind == "celebration").order_by(Post.id)
        return list((await session.execute(query)).scalars())


async def test_a_milestone_is_celebrated_once_in_the_channel(bot: BotHarness) -> None:
    await three_days(bot)
    posts = bot.adapter.posts("general")
    cheers = [m for m in posts if m.reply.title == "Milestones"]
    assert len(cheers) == 1
    assert "🎉 **ann** reached a milestone: 🔥 3-day streak!" in cheers[0].reply.text
    assert cheers[0].reply.mention_user_ids == ("ann",)
    rows = await post_rows(bot)
    assert [(r.status, r.channel_id) for r in rows] == [("sent", rows[0].channel_id)]
    assert rows[0].channel_id.startswith("award:")
    # Every later pass (a restart's catch-up, the safety pass) finds nothing to announce.
    service = celebrations_of(bot.services)
    assert service is not None
    assert await service.run_all() == []
    await bot.advance(timedelta(hours=2))
    assert len(celebrations(bot)) == 1


async def test_member_mode_tells_only_the_member_and_silent_tells_nobody(
    bot: BotHarness,
) -> None:
    set_mode = await bot.cmd("/admin settings rewards.announce member", user="mod")
    assert "member" in set_mode.text
    await three_days(bot)
    dms = [m for m in bot.adapter.dms("ann") if m.reply.title == "🎉 New badge"]
    assert len(dms) == 1 and "You earned: 🔥 3-day streak." in dms[0].reply.text
    assert celebrations(bot) == []
    await bot.cmd("/admin settings rewards.announce silent", user="mod")
    await three_days(bot, user="bob")
    assert celebrations(bot) == [] and len(bot.adapter.dms("bob")) == 0
    async with bot.services.sessions() as session:
        states = dict(
            (await session.execute(select(Member.display_name, Award.state).join(Award))).all()
        )
    assert states == {"ann": "queued", "bob": "silent"}


async def _members_with_a_broken_streak(bot: BotHarness, count: int) -> tuple[int, list[int]]:
    """``count`` console members who checked in on the 26th, 27th and 1st (28th missed).

    Days before the bot's first start, so no missed daily post excuses the 28th first.
    """
    await bot.cmd("/help", user="mod")
    now = bot.clock.now()
    async with bot.services.sessions() as session, session.begin():
        space = (
            await session.execute(select(Space).where(Space.platform == "console"))
        ).scalar_one()
        group_id = space.group_id
        ids = []
        for index in range(count):
            member = Member(
                group_id=group_id,
                display_name=f"m{index:03d}",
                timezone=None,
                hidden=False,
                reminders=False,
                created_at=now,
            )
            session.add(member)
            await session.flush()
            ids.append(member.id)
        await session.execute(
            insert(Identity),
            [
                {
                    "member_id": m,
                    "space_id": space.id,
                    "platform_user_id": f"u{m}",
                    "display_name": f"m{n:03d}",
                    "created_at": now,
                }
                for n, m in enumerate(ids)
            ],
        )
        await session.execute(
            insert(CheckIn),
            [
                {
                    "member_id": m,
                    "group_id": group_id,
                    "local_date": MON - timedelta(days=offset),
                    "checked_at": datetime.combine(MON, datetime.min.time()).astimezone(),
                    "timezone": "UTC",
                    "platform": "console",
                }
                for m in ids
                for offset in (4, 3, 1)
            ],
        )
        policy = policy_from(await settings_repo.load(session, group_id))
        await recording.recompute(session, ids, policy, now)
    return group_id, ids


async def test_an_amnesty_restoring_500_streaks_is_one_post(bot: BotHarness) -> None:
    await _members_with_a_broken_streak(bot, 500)
    reply = await bot.cmd("/admin amnesty 2026-02-28 the bot was down", user="mod")
    assert "excused for everyone" in reply.text, reply.text
    await settle(bot)
    async with bot.services.sessions() as session:
        earned = (
            await session.execute(
                select(func.count()).where(Award.milestone == "streak-3", Award.source == "amnesty")
            )
        ).scalar_one()
    assert earned == 500
    cheers = celebrations(bot)
    assert len(cheers) == 1
    assert cheers[0].startswith("🎉 500 members reached milestones:\n🔥 3-day streak: **m000**")
    assert cheers[0].endswith("and 488 more") and len(cheers[0]) < 2000
    rows = await post_rows(bot)
    assert [r.status for r in rows] == ["sent"]
    async with bot.services.sessions() as session:
        owners = (
            await session.execute(select(func.count(func.distinct(Award.post_id))))
        ).scalar_one()
    assert owners == 1


async def test_a_member_hidden_from_the_boards_is_told_privately(bot: BotHarness) -> None:
    hidden = await bot.cmd("/settings leaderboard:hide", user="ann")
    assert "hid" in hidden.text.lower(), hidden.text
    await three_days(bot)
    assert celebrations(bot) == []
    assert [m.reply.title for m in bot.adapter.dms("ann")] == ["🎉 New badge"]
