"""Role rewards through the real Discord adapter against the loopback Discord.

The fake checks what Discord checks for ``PUT /guilds/{g}/members/{u}/roles/{r}``: the
bot needs Manage Roles and a role above the one it grants, otherwise 403 50013.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models_recognition import Award
from bot.features.schedule.runtime import runtime_of
from tests.adapters.discord.support import DiscordBot
from tests.fakes.discord_payloads import MANAGE_ROLES

ROLES = r"^/guilds/\d+/members/\d+/roles/\d+$"


def bot_role(discord_bot: DiscordBot) -> object:
    fake = discord_bot.fake
    assert fake.guild_id is not None
    guild = fake.world.guilds[fake.guild_id]
    return next(r for r in guild.roles.values() if r.bot_id == fake.world.bot_user_id)


async def three_days(discord_bot: DiscordBot) -> None:
    for index in range(3):
        if index:
            discord_bot.clock.advance(timedelta(days=1))
        answer = await discord_bot.run("done", {})
        assert "checked in" in answer.text, answer.text
    assert discord_bot.app is not None
    await runtime_of(discord_bot.app.require_services()).settle()


async def roles_state(discord_bot: DiscordBot) -> list[str | None]:
    assert discord_bot.app is not None
    async with discord_bot.app.require_services().sessions() as session:
        return list((await session.execute(select(Award.roles))).scalars())


async def test_a_refused_role_is_reported_not_raised(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    fake = discord_bot.fake
    assert fake.guild_id is not None
    role = fake.add_role(fake.guild_id, "Regulars")
    added = await discord_bot.run(
        "admin",
        {"action": "role", "what": "streak-3", "role": f"<@&{role}>"},
        subcommand="rewards",
        user=fake.moderator_id,
    )
    assert "from now on" in added.text, added.text
    await three_days(discord_bot)
    [put] = fake.requests("PUT", ROLES)
    assert put.path.endswith(f"/members/{fake.user_id}/roles/{role}")
    assert role not in fake.world.guilds[fake.guild_id].members[fake.user_id].roles
    assert await roles_state(discord_bot) == ["failed"]
    listed = await discord_bot.run("admin", {}, subcommand="rewards", user=fake.moderator_id)
    assert "403 Missing Permissions: give the bot **Manage Roles**" in listed.text
    health = await discord_bot.run("admin", {}, subcommand="schedule", user=fake.moderator_id)
    assert "Role rewards the bot could not grant" in health.text
    assert "Manage Roles" in health.text


async def test_granted_roles_stack_or_replace(discord_bot: DiscordBot) -> None:
    await discord_bot.sync()
    fake = discord_bot.fake
    assert fake.guild_id is not None
    mine = bot_role(discord_bot)
    mine.permissions |= MANAGE_ROLES  # type: ignore[attr-defined]
    low = fake.add_role(fake.guild_id, "Three days")
    high = fake.add_role(fake.guild_id, "Seven days")
    mine.position = 50  # type: ignore[attr-defined]
    for what, role in (("streak-3", low), ("streak-7", high)):
        await discord_bot.run(
            "admin",
            {"action": "role", "what": what, "role": str(role)},
            subcommand="rewards",
            user=fake.moderator_id,
        )
    await discord_bot.run(
        "admin", {"action": "mode", "what": "replace"}, subcommand="rewards", user=fake.moderator_id
    )
    await three_days(discord_bot)
    member = fake.world.guilds[fake.guild_id].members[fake.user_id]
    assert low in member.roles and await roles_state(discord_bot) == ["done"]
    for _ in range(4):
        discord_bot.clock.advance(timedelta(days=1))
        await discord_bot.run("done", {})
    assert discord_bot.app is not None
    await runtime_of(discord_bot.app.require_services()).settle()
    assert high in member.roles and low not in member.roles  # replaced
    assert [r.method for r in fake.requests(None, ROLES)] == ["PUT", "PUT", "DELETE"]
    listed = await discord_bot.run("admin", {}, subcommand="rewards", user=fake.moderator_id)
    assert "⚠️" not in listed.text
