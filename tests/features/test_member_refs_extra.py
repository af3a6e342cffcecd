"""More member-reference cases: patterns on every command that takes a member, mentions, ids."""

from __future__ import annotations

import dataclasses

from bot.core.models import Actor
from tests.checkins.helpers import audit_all
from tests.support.harness import BotHarness


async def _as(bot: BotHarness, line: str, *, user_id: str, name: str, mod: bool = False):
    """Run ``line`` as a member whose platform id and display name differ."""
    command, _, text = line[1:].partition(" ")
    invocation = bot.invocation(command, text, user=user_id, moderator=mod)
    invocation = dataclasses.replace(
        invocation, actor=Actor(user_id=user_id, display_name=name, is_admin=mod)
    )
    assert bot.app.dispatcher is not None
    return await bot.app.dispatcher.dispatch(invocation)


async def test_patterns_target_nobody(bot: BotHarness) -> None:
    await bot.cmd("/done", user="ann")
    await bot.cmd("/done", user="bob")
    for pattern in ("%", "_", "a%", "%n%", "___", "an_"):
        seen = await bot.cmd(f"/streak {pattern}", user="bob")
        assert f"I don't know a member `{pattern}`" in seen.text, seen.text
        shown = await bot.cmd(f"/admin streak {pattern} show", user="mod")
        assert f"I don't know a member `{pattern}`" in shown.text, shown.text
        changed = await bot.cmd(f"/admin streak {pattern} set 40 pattern attack", user="mod")
        assert f"I don't know a member `{pattern}`" in changed.text, changed.text
    assert "Current streak: **1 day**" in (await bot.cmd("/streak", user="ann")).text
    assert "streak.set" not in (await bot.cmd("/admin audit", user="mod")).text


async def test_names_match_literally_and_case_insensitively(bot: BotHarness) -> None:
    await _as(bot, "/done", user_id="U1", name="100%")
    await _as(bot, "/help", user_id="U2", name="Ann_Lee")  # known, no check-in
    one, none = "Current streak: **1 day**", "Current streak: **0 days**"
    assert one in (await bot.cmd("/streak 100%", user="bob")).text
    assert none in (await bot.cmd("/streak ann_lee", user="bob")).text
    assert none in (await bot.cmd("/streak ANN_LEE", user="bob")).text
    assert one in (await bot.cmd("/streak U1", user="bob")).text  # platform id
    assert one in (await bot.cmd("/streak <@U1>", user="bob")).text  # mention
    assert "I don't know" in (await bot.cmd("/streak AnnXLee", user="bob")).text


async def test_an_ambiguous_name_lists_the_candidates_and_changes_nothing(
    bot: BotHarness,
) -> None:
    await _as(bot, "/done", user_id="U1", name="Sam")
    await _as(bot, "/done", user_id="U2", name="sam")
    reply = await bot.cmd("/admin streak sam set 30 merge accounts", user="mod")
    assert "members are called `sam`" in reply.text
    assert "members are called" in (await bot.cmd("/streak SAM", user="bob")).text
    assert "members are called" in (await bot.cmd("/admin audit sam", user="mod")).text
    assert "streak.set" not in (await bot.cmd("/admin audit", user="mod")).text
    # The platform id still names one of them exactly.
    assert "streak set to 30" in (await bot.cmd("/admin streak U1 set 30 fix", user="mod")).text
    assert await audit_all(bot) == []
