"""Badges end to end through the real dispatcher: earned once, kept, repaired, linked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import AuditEntry
from bot.db.models_recognition import Award
from tests.linking.support import DISCORD, SLACK, link_accounts, link_spaces
from tests.support.harness import BotHarness


async def awards(bot: BotHarness) -> list[Award]:
    async with bot.services.sessions() as session:
        return list((await session.execute(select(Award).order_by(Award.id))).scalars())


async def days_of_checkins(bot: BotHarness, count: int, user: str = "ann") -> str:
    text = ""
    for index in range(count):
        if index:
            bot.clock.advance(timedelta(days=1))
        text = (await bot.cmd("/done", user=user)).text
    return text


async def test_three_days_earn_the_first_badge_once_and_it_is_kept(bot: BotHarness) -> None:
    third = await days_of_checkins(bot, 3)
    assert "🎉 New badge: 🔥 3-day streak!" in third
    listed = await bot.cmd("/badges")
    assert listed.title == "Your badges"
    assert "🔥 3-day streak — 2026-03-04" in listed.text
    assert listed.footer == (
        "Next: 🔥 7-day streak in 4 more days; ✅ 10 check-ins in 7 more check-ins."
    )
    streak = await bot.cmd("/streak")
    assert "Badges: 🔥 3-day streak" in streak.text
    # The streak breaks; the badge stays, and climbing back to 3 earns nothing twice.
    bot.clock.advance(timedelta(days=5))
    again = await days_of_checkins(bot, 3)
    assert "New badge" not in again
    assert "🔥 3-day streak — 2026-03-04" in (await bot.cmd("/badges")).text
    assert [a.milestone for a in await awards(bot)] == ["streak-3"]


async def test_badges_of_another_member_and_of_nobody(bot: BotHarness) -> None:
    await days_of_checkins(bot, 3, user="bob")
    theirs = await bot.cmd("/badges bob", user="ann")
    assert theirs.title == "bob's badges" and "3-day streak" in theirs.text
    mine = await bot.cmd("/badges", user="ann")
    assert "You have no badges yet." in mine.text
    unknown = await bot.cmd("/badges nobody", user="ann")
    assert "I don't know a member `nobody`" in unknown.text


async def test_a_repair_up_awards_with_the_repair_noted_and_down_keeps(bot: BotHarness) -> None:
    await bot.cmd("/done")
    up = await bot.cmd("/admin streak ann set 8 lost in the outage", user="mod")
    assert "Badges earned with this repair: 🔥 3-day streak, 🔥 7-day streak." in up.text
    held = await awards(bot)
    assert [(a.milestone, a.source) for a in held] == [
        ("streak-3", "repair"),
        ("streak-7", "repair"),
    ]
    assert held[0].note == "/admin streak set by mod: lost in the outage"
    listed = await bot.cmd("/badges")
    assert "(restored: /admin streak set by mod: lost in the outage)" in listed.text
    down = await bot.cmd("/admin streak ann set 1 typo fix", user="mod")
    assert "Badges are never revoked; kept: 🔥 3-day streak, 🔥 7-day streak." in down.text
    assert len(await awards(bot)) == 2
    async with bot.services.sessions() as session:
        entries = list(
            (
                await session.execute(
                    select(AuditEntry)
                    .where(AuditEntry.action == "streak.set")
                    .order_by(AuditEntry.id)
                )
            ).scalars()
        )
    assert entries[0].after["badges_awarded"] == ["🔥 3-day streak", "🔥 7-day streak"]
    assert entries[1].after["badges_kept"] == ["🔥 3-day streak", "🔥 7-day streak"]
    log = await bot.cmd("/admin audit ann", user="mod")
    assert "badges kept 🔥 3-day streak, 🔥 7-day streak" in log.text  # readable audit


async def test_linked_accounts_earn_once_for_the_group(bot: BotHarness) -> None:
    await link_spaces(bot)
    await link_accounts(bot, "ann")
    await bot.cmd("/done", user="ann", platform=DISCORD)
    bot.clock.advance(timedelta(days=1))
    await bot.cmd("/done", user="ann", platform=SLACK)
    bot.clock.advance(timedelta(days=1))
    third = await bot.cmd("/done", user="ann", platform=DISCORD)
    assert "3-day streak" in third.text
    bot.clock.advance(timedelta(days=1))
    fourth = await bot.cmd("/done", user="ann", platform=SLACK)
    assert "New badge" not in fourth.text
    on_slack = await bot.cmd("/badges", user="ann", platform=SLACK)
    assert "3-day streak" in on_slack.text
    async with bot.services.sessions() as session:
        count = (await session.execute(select(func.count()).select_from(Award))).scalar_one()
    assert count == 1


async def test_a_milestone_switched_off_is_not_earned(bot: BotHarness) -> None:
    off = await bot.cmd("/admin settings rewards.off streak-3", user="mod")
    assert "streak-3" in off.text, off.text
    third = await days_of_checkins(bot, 3)
    assert "New badge" not in third
    bad = await bot.cmd("/admin settings rewards.off streak-4", user="mod")
    assert "`streak-4` is not a milestone" in bad.text


async def test_the_streak_card_shows_the_badges(bot: BotHarness) -> None:
    await days_of_checkins(bot, 3)
    reply = await bot.cmd("/streak card")
    assert reply.image is not None
    assert reply.image.alt_text.endswith("Badges: 3-day streak.")
    from bot.cards import StreakCard
    from bot.cards.streak import render_streak

    plain = StreakCard("ann", 3, 3, 0, 2, 3, bot.clock.now().date())
    badged = StreakCard("ann", 3, 3, 0, 2, 3, bot.clock.now().date(), badges=("3-day streak",))
    assert render_streak(plain) != render_streak(badged)  # the badges are drawn, too
