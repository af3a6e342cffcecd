"""``/admin rewards``: list, on/off, announce and role modes, bad input, audit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.db.models_recognition import RewardRole
from bot.features.recognition.admin import role_id
from tests.linking.support import DISCORD, SLACK
from tests.support.harness import BotHarness


async def audited(bot: BotHarness) -> list[tuple[str, str | None]]:
    async with bot.services.sessions() as session:
        query = (
            select(AuditEntry.action, AuditEntry.target)
            .where(AuditEntry.action.like("rewards.%"))
            .order_by(AuditEntry.id)
        )
        return [(a, t) for a, t in (await session.execute(query)).all()]


async def test_the_list_shows_every_milestone_with_state_and_counts(bot: BotHarness) -> None:
    for index in range(3):
        if index:
            bot.clock.advance(timedelta(days=1))
        await bot.cmd("/done")
    listed = await bot.cmd("/admin rewards", user="mod")
    assert listed.title == "Milestones and rewards" and listed.ephemeral
    assert "Announce: **channel** · roles: Discord only" in listed.text
    assert "`streak-3` 🔥 3-day streak · on · earned by 1" in listed.text
    assert "`streak-365` 🏆 365-day streak · on · earned by 0" in listed.text
    assert "`first-project`" in listed.text
    refused = await bot.cmd("/admin rewards", user="bob")
    assert "is for moderators" in refused.text


async def test_on_off_and_modes_are_validated_and_audited(bot: BotHarness) -> None:
    off = await bot.cmd("/admin rewards off 7-day", user="mod")
    assert off.text == (
        "🔥 7-day streak (`streak-7`) is off: nobody earns it while it is off; badges "
        "already earned are kept. Audited."
    )
    again = await bot.cmd("/admin rewards off streak-7", user="mod")
    assert "already off. Nothing changed." in again.text
    assert "· off ·" in (await bot.cmd("/admin rewards list", user="mod")).text
    on = await bot.cmd("/admin rewards on streak-7", user="mod")
    assert "is on" in on.text
    unknown = await bot.cmd("/admin rewards off streak-8", user="mod")
    assert "`streak-8` is not a milestone. Milestones are: streak-3" in unknown.text
    missing = await bot.cmd("/admin rewards off", user="mod")
    assert "Name the milestone" in missing.text
    mode = await bot.cmd("/admin rewards announce member", user="mod")
    assert mode.text == (
        "Rewards announce: **member** (was channel). Each member is told privately "
        "(a direct message). Audited."
    )
    bad = await bot.cmd("/admin rewards announce loudly", user="mod")
    assert "`loudly` is not a choice. Use `/admin rewards announce channel|member|silent`" in (
        bad.text
    )
    stack = await bot.cmd("/admin rewards mode replace", user="mod")
    assert "Rewards mode: **replace** (was stack)" in stack.text
    assert await audited(bot) == [
        ("rewards.off", "streak-7"),
        ("rewards.on", "streak-7"),
        ("rewards.announce", "rewards.announce"),
        ("rewards.mode", "rewards.roles"),
    ]


async def test_role_rules_are_discord_only_and_duplicates_are_refused(bot: BotHarness) -> None:
    console = await bot.cmd("/admin rewards role streak-7 <@&123>", user="mod")
    assert "Slack bots cannot grant roles" in console.text
    slack = await bot.cmd("/admin rewards role streak-7 <@&123>", user="mod", platform=SLACK)
    assert "Role rewards are a Discord feature" in slack.text
    added = await bot.cmd(
        "/admin rewards role streak-7 <@&111111111111111111>", user="mod", platform=DISCORD
    )
    assert "get <@&111111111111111111> from now on" in added.text and "Manage Roles" in added.text
    same = await bot.cmd(
        "/admin rewards role streak-7 <@&111111111111111111>", user="mod", platform=DISCORD
    )
    assert "already grants <@&111111111111111111>. Nothing changed." in same.text
    other = await bot.cmd("/admin rewards role streak-7 222", user="mod", platform=DISCORD)
    assert "one role per milestone" in other.text and "unrole streak-7" in other.text
    reused = await bot.cmd(
        "/admin rewards role streak-14 111111111111111111", user="mod", platform=DISCORD
    )
    assert "already the reward for `streak-7`" in reused.text
    not_a_role = await bot.cmd(
        "/admin rewards role streak-14 Regulars", user="mod", platform=DISCORD
    )
    assert "`Regulars` is not a role" in not_a_role.text
    listed = await bot.cmd("/admin rewards", user="mod", platform=DISCORD)
    assert listed.text.startswith("Announce: **channel** · roles: **stack**\n")
    assert "`streak-7` 🔥 7-day streak · on · earned by 0 · role <@&111111111111111111>" in (
        listed.text
    )
    removed = await bot.cmd("/admin rewards unrole streak-7", user="mod", platform=DISCORD)
    assert "no longer grants a role" in removed.text
    gone = await bot.cmd("/admin rewards unrole streak-7", user="mod", platform=DISCORD)
    assert "has no role reward here" in gone.text
    async with bot.services.sessions() as session:
        assert (await session.execute(select(RewardRole))).first() is None
    assert await audited(bot) == [("rewards.role", "streak-7"), ("rewards.unrole", "streak-7")]


def test_role_references() -> None:
    assert role_id("<@&123456>") == "123456"
    assert role_id("@42") == "42" and role_id(" 7 ") == "7"
