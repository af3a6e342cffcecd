"""The dispatcher: permissions on our side, one transaction, errors as polite replies."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.core.commands import Role, Router
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.db.models import AuditEntry
from tests.support.harness import BotHarness


async def test_moderator_command_refused_for_member(bot: BotHarness) -> None:
    reply = await bot.cmd("/admin settings", user="bob")
    assert reply.ephemeral
    assert "for moderators" in reply.text
    ok = await bot.cmd("/admin settings", user="mod")
    assert "timezone" in ok.text


async def test_configured_moderator_role_is_honoured(bot: BotHarness) -> None:
    await bot.cmd("/admin settings moderator_roles R1 R2", user="mod")
    allowed = await bot.cmd(
        "/admin settings", user="carol", moderator=False, roles=frozenset({"R2"})
    )
    assert "timezone" in allowed.text
    refused = await bot.cmd(
        "/admin settings", user="dave", moderator=False, roles=frozenset({"R9"})
    )
    assert "for moderators" in refused.text


async def test_setting_change_is_validated_and_audited(bot: BotHarness) -> None:
    bad = await bot.cmd("/admin settings timezone Mars/Olympus", user="mod")
    assert "not a timezone" in bad.text and bad.ephemeral
    good = await bot.cmd("/admin settings timezone Europe/Berlin", user="mod")
    assert "changed from **UTC** to **Europe/Berlin**" in good.text
    async with bot.services.sessions() as session:
        entries = (await session.execute(select(AuditEntry))).scalars().all()
    assert [(e.action, e.target, e.before, e.after) for e in entries] == [
        ("settings.change", "timezone", "UTC", "Europe/Berlin")
    ]


async def test_settings_change_notifies_after_commit(bot: BotHarness) -> None:
    seen: list[int] = []

    async def hook(group_id: int) -> None:
        seen.append(group_id)

    bot.services.settings_changed.append(hook)
    await bot.cmd("/admin settings day_start 02:00", user="mod")
    await bot.cmd("/admin settings day_start 99:00", user="mod")  # invalid: no notification
    assert len(seen) == 1


def _add_failing_commands(bot: BotHarness) -> None:
    router = Router()

    @router.command("boom", "Fails after writing.")
    async def boom(ctx: CommandContext) -> Reply:
        await ctx.audit("test.write", target="x")
        raise RuntimeError("database exploded")

    @router.command("oops", "Fails politely after writing.")
    async def oops(ctx: CommandContext) -> Reply:
        await ctx.audit("test.write", target="y")
        raise UserError("You cannot do that today.")

    bot.services.registry.include(router)


async def _audit_count(bot: BotHarness) -> int:
    async with bot.services.sessions() as session:
        return int(
            (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one()
        )


async def test_exception_rolls_back_and_becomes_polite_reply(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    _add_failing_commands(bot)
    with caplog.at_level(logging.ERROR):
        reply = await bot.cmd("/boom")
    assert reply.ephemeral
    assert "Sorry, something went wrong" in reply.text
    assert "Traceback" not in reply.text and "exploded" not in reply.text
    assert await _audit_count(bot) == 0
    assert any("database exploded" in (r.exc_text or "") or r.exc_info for r in caplog.records)


async def test_user_error_rolls_back_and_is_shown(bot: BotHarness) -> None:
    _add_failing_commands(bot)
    reply = await bot.cmd("/oops")
    assert reply.text == "You cannot do that today." and reply.ephemeral
    assert await _audit_count(bot) == 0


async def test_unknown_command_and_group_help(bot: BotHarness) -> None:
    assert "not a command I know" in (await bot.cmd("/nonsense")).text
    group = await bot.cmd("/admin", user="mod")
    assert "/admin settings" in group.text
    wrong = await bot.cmd("/admin frobnicate", user="mod")
    assert "is not a command" in wrong.text and "/admin settings" in wrong.text


async def test_wrong_argument_gets_usage_hint(bot: BotHarness) -> None:
    from bot.core.commands import Param, ParamKind

    router = Router()

    @router.command(
        "count", "Count to N.", params=(Param("n", ParamKind.INTEGER, "n", required=True),)
    )
    async def count(ctx: CommandContext, n: int) -> Reply:
        return Reply(text=str(n))

    bot.services.registry.include(router)
    reply = await bot.cmd("/count seven")
    assert reply.ephemeral and "whole number" in reply.text and "Usage: `/count N`" in reply.text
    assert (await bot.cmd("/count 7")).text == "7"


async def test_help_hides_moderator_commands_from_members(bot: BotHarness) -> None:
    member = await bot.cmd("/help", user="bob")
    mod = await bot.cmd("/help", user="mod")
    assert "Moderator commands" not in [f.name for f in member.fields]
    assert "Moderator commands" in [f.name for f in mod.fields]


async def test_members_are_created_once_per_identity(bot: BotHarness) -> None:
    from bot.db.models import Member

    for _ in range(3):
        await bot.cmd("/help", user="zoe")
    async with bot.services.sessions() as session:
        names = (await session.execute(select(Member.display_name))).scalars().all()
    assert names.count("zoe") == 1


def test_role_order() -> None:
    assert Role.MODERATOR > Role.MEMBER


async def test_failed_first_command_leaves_no_member_behind(bot: BotHarness) -> None:
    from bot.db.models import Member

    _add_failing_commands(bot)
    reply = await bot.cmd("/boom", user="newcomer")
    assert "Nothing was changed" in reply.text
    async with bot.services.sessions() as session:
        names = (await session.execute(select(Member.display_name))).scalars().all()
    assert "newcomer" not in names


async def test_concurrent_first_contacts_create_one_member(bot: BotHarness) -> None:
    import asyncio

    from bot.db.models import Identity, Member

    await asyncio.gather(*(bot.cmd("/help", user="rush") for _ in range(8)))
    async with bot.services.sessions() as session:
        members = (
            await session.execute(select(func.count()).where(Member.display_name == "rush"))
        ).scalar_one()
        identities = (
            await session.execute(select(func.count()).where(Identity.platform_user_id == "rush"))
        ).scalar_one()
    assert (members, identities) == (1, 1)
