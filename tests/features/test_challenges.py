"""``/challenge`` and ``/tip``: the group's item of its local day, tracks, stability."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.content.render import DONE_ACTION
from bot.core.models import ButtonStyle, Platform, Reply
from bot.db.models import Member, RotationEntry
from bot.db.repositories import settings as settings_repo
from tests.support.harness import BotHarness


def challenge_id(reply: Reply) -> str:
    (button,) = reply.buttons
    assert button.action_id == DONE_ACTION and button.style is ButtonStyle.SUCCESS
    return button.value


async def rotation_dates(bot: BotHarness, kind: str = "challenge") -> list[date]:
    async with bot.services.sessions() as session:
        query = select(RotationEntry.local_date).where(RotationEntry.kind == kind)
        return list((await session.execute(query.order_by(RotationEntry.local_date))).scalars())


async def test_challenge_of_the_day_with_done_button(bot: BotHarness) -> None:
    reply = await bot.cmd("/challenge")
    challenge = bot.services.content.challenge(challenge_id(reply))
    assert challenge is not None
    assert reply.title == f"Challenge for Monday 2 March: {challenge.title}"
    assert challenge.task.strip() in reply.text
    step = bot.services.content.step(challenge.step)
    assert step is not None and reply.footer is not None
    assert reply.footer.startswith(f"Step {step.number} · {step.title} · {challenge.level.value}")
    assert not reply.ephemeral


async def test_everyone_in_the_group_gets_the_same_challenge_all_day(bot: BotHarness) -> None:
    first = await bot.cmd("/challenge", user="ann")
    assert await bot.cmd("/challenge", user="bob") == first
    bot.clock.advance(timedelta(hours=15))  # 23:00 UTC, still Monday
    assert await bot.cmd("/challenge", user="carol") == first
    bot.clock.advance(timedelta(hours=2))  # Tuesday
    tuesday = await bot.cmd("/challenge", user="ann")
    assert challenge_id(tuesday) != challenge_id(first)
    assert tuesday.title is not None and tuesday.title.startswith("Challenge for Tuesday 3 March")
    assert await rotation_dates(bot) == [date(2026, 3, 2), date(2026, 3, 3)]


async def test_today_is_the_groups_local_date_not_the_members(bot: BotHarness) -> None:
    await bot.cmd("/admin settings timezone Pacific/Auckland", user="mod")
    await bot.cmd("/challenge", user="ann")  # creates ann
    async with bot.services.sessions() as session, session.begin():
        ann = (
            await session.execute(select(Member).where(Member.display_name == "ann"))
        ).scalar_one()
        ann.timezone = "America/Los_Angeles"
    # 12:00 UTC on 2 March: Tuesday 01:00 in Auckland, Monday 04:00 in Los Angeles.
    bot.clock.set(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    reply = await bot.cmd("/challenge", user="ann")
    assert reply.title is not None and reply.title.startswith("Challenge for Tuesday 3 March")
    assert date(2026, 3, 3) in await rotation_dates(bot)


async def test_day_start_keeps_late_night_on_the_previous_day(bot: BotHarness) -> None:
    await bot.cmd("/admin settings day_start 02:00", user="mod")
    monday = await bot.cmd("/challenge")
    bot.clock.set(datetime(2026, 3, 3, 1, 30, tzinfo=UTC))  # before 02:00: still Monday
    assert await bot.cmd("/challenge") == monday
    bot.clock.set(datetime(2026, 3, 3, 2, 0, tzinfo=UTC))
    assert challenge_id(await bot.cmd("/challenge")) != challenge_id(monday)


async def test_groups_on_different_platforms_rotate_independently(bot: BotHarness) -> None:
    ids = set()
    for platform in (Platform.CONSOLE, Platform.DISCORD, Platform.SLACK):
        seen = []
        for _ in range(4):
            seen.append(challenge_id(await bot.cmd("/challenge", platform=platform)))
            bot.clock.advance(timedelta(days=1))
        bot.clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
        ids.add(tuple(seen))
    assert len(ids) == 3  # each space is its own group with its own order


async def test_track_setting_is_validated_against_the_content(bot: BotHarness) -> None:
    typo = await bot.cmd("/admin settings track advnced", user="mod")
    assert typo.ephemeral and "Did you mean `advanced`?" in typo.text
    assert "cs-and-data" in typo.text  # phases of the content in use are listed
    unchanged = await bot.cmd("/admin settings track", user="mod")
    assert "**all**" in unchanged.text
    ok = await bot.cmd("/admin settings track phase 4", user="mod")
    assert "to **security-performance**" in ok.text


async def test_track_changes_the_pool_from_the_next_day(bot: BotHarness) -> None:
    today = challenge_id(await bot.cmd("/challenge"))
    await bot.cmd("/admin settings track advanced", user="mod")
    assert challenge_id(await bot.cmd("/challenge")) == today  # today's stays
    store = bot.services.content
    for _ in range(5):
        bot.clock.advance(timedelta(days=1))
        item = store.challenge(challenge_id(await bot.cmd("/challenge")))
        assert item is not None and item.level.value == "advanced"
    await bot.cmd("/admin settings track foundations", user="mod")
    bot.clock.advance(timedelta(days=1))
    item = store.challenge(challenge_id(await bot.cmd("/challenge")))
    step = store.step(item.step) if item else None
    assert step is not None and step.phase == "foundations"
    overview = await bot.cmd("/roadmap")
    assert overview.footer == "This group's track: foundations"


async def test_a_stale_track_falls_back_to_all_and_says_so(bot: BotHarness) -> None:
    await bot.cmd("/challenge")
    async with bot.services.sessions() as session, session.begin():
        group_id = (await session.execute(select(Member.group_id))).scalars().first()
        assert group_id is not None
        now = bot.clock.now()
        await settings_repo.put(session, group_id, "track", "removed-phase", now)
    bot.clock.advance(timedelta(days=1))
    reply = await bot.cmd("/challenge")
    assert reply.footer is not None and "track `removed-phase` is not in the current content" in (
        reply.footer
    )


async def test_tip_of_the_day_is_stable_and_random_tips_vary(bot: BotHarness) -> None:
    tip = await bot.cmd("/tip")
    assert tip.title is not None and tip.title.startswith("Tip: ")
    assert tip.footer is not None and tip.footer.startswith("Tip for Monday 2 March · Step ")
    assert await bot.cmd("/tip today", user="bob") == tip
    assert await rotation_dates(bot, "tip") == [date(2026, 3, 2)]
    randoms = {(await bot.cmd("/tip random")).title for _ in range(30)}
    assert len(randoms) > 1
    titles = {f"Tip: {t.title}" for t in bot.services.content.bundle.tips}
    assert randoms <= titles
    assert await rotation_dates(bot, "tip") == [date(2026, 3, 2)]  # random draws record nothing


async def test_tips_follow_a_phase_track(bot: BotHarness) -> None:
    await bot.cmd("/admin settings track capstone", user="mod")
    for _ in range(3):
        reply = await bot.cmd("/tip")
        assert reply.footer is not None and "Step 16 · " in reply.footer
        bot.clock.advance(timedelta(days=1))
