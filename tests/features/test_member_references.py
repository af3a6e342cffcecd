"""A member argument names one member exactly: never a SQL pattern, never a guess."""

from __future__ import annotations

from dataclasses import replace

from tests.support.harness import BotHarness


async def _as(bot: BotHarness, line: str, *, user_id: str, name: str) -> str:
    """Run ``line`` as a member whose display name differs from their platform id."""
    command, _, text = line[1:].partition(" ")
    invocation = bot.invocation(command, text, user=user_id)
    invocation = replace(invocation, actor=replace(invocation.actor, display_name=name))
    assert bot.app.dispatcher is not None
    return (await bot.app.dispatcher.dispatch(invocation)).text


async def test_like_wildcards_name_nobody(bot: BotHarness) -> None:
    await bot.cmd("/done")
    await bot.cmd("/done", user="bob")
    for ref in ("%", "_", "a%", "%n%", "b_b"):
        shown = await bot.cmd(f"/streak {ref}", user="bob")
        assert f"I don't know a member `{ref}`" in shown.text, (ref, shown.text)
        refused = await bot.cmd(f"/admin streak {ref} set 40 wildcard", user="mod")
        assert f"I don't know a member `{ref}`" in refused.text, (ref, refused.text)
    assert "Current streak: **1 day**" in (await bot.cmd("/streak ann", user="bob")).text
    assert "Current streak: **1 day**" in (await bot.cmd("/streak")).text


async def test_names_match_literally_and_case_insensitively(bot: BotHarness) -> None:
    await _as(bot, "/done", user_id="u1", name="Ann_Lee")
    await _as(bot, "/done", user_id="u2", name="AnnXLee")
    shown = await bot.cmd("/streak ann_lee", user="mod")
    assert "Ann_Lee" in (shown.title or "") and "AnnXLee" not in (shown.title or "")
    by_id = await bot.cmd("/streak u2", user="mod")
    assert "AnnXLee" in (by_id.title or "")


async def test_an_ambiguous_name_changes_nothing(bot: BotHarness) -> None:
    await _as(bot, "/done", user_id="u1", name="Sam")
    await _as(bot, "/done", user_id="u2", name="sam")
    reply = await bot.cmd("/admin streak sam set 30 typo", user="mod")
    assert "2 members are called `sam`" in reply.text and "nothing was changed" in reply.text
    assert "Current streak: **1 day**" in (await bot.cmd("/streak u1", user="mod")).text
    assert "Current streak: **1 day**" in (await bot.cmd("/streak u2", user="mod")).text
    audit = await bot.cmd("/admin audit", user="mod")
    assert "streak.set" not in audit.text


async def test_an_overlong_reference_gets_a_clear_answer(bot: BotHarness) -> None:
    longer_than_any_name = await bot.cmd("/streak " + "x" * 150, user="mod")
    assert "at most 100 characters" in longer_than_any_name.text
    for line in ("/streak " + "x" * 60_000, "/admin audit " + "%" * 60_000):
        reply = await bot.cmd(line, user="mod")
        assert "too long" in reply.text and "Something went wrong" not in reply.text


async def test_a_member_gets_the_refusal_before_any_argument_is_read(bot: BotHarness) -> None:
    refused = await bot.cmd("/admin setup #general 99999999999:0", user="bob")
    assert "is for moderators" in refused.text
    mod = await bot.cmd("/admin setup #general time:99999999999:0", user="mod")
    assert "must be a time like 09:00" in mod.text


async def test_every_timezone_command_refuses_unusable_names_clearly(bot: BotHarness) -> None:
    for bad in ("x" * 150, "__pycache__", "America", "../../etc/passwd", "Europe/"):
        for line in (
            f"/admin setup timezone:{bad}",
            f"/admin settings timezone {bad}",
            f"/settings timezone:{bad}",
        ):
            reply = await bot.cmd(line, user="mod")
            assert "is not a timezone I know" in reply.text, (line[:60], reply.text)
        too_long = await bot.cmd(f"/admin setup timezone:{'x' * 300}", user="mod")
        assert "too long" in too_long.text
    for legacy in ("EST", "mst", "EST5EDT"):
        reply = await bot.cmd(f"/admin settings timezone {legacy}", user="mod")
        assert "ignores daylight-saving time" in reply.text and "America/" in reply.text
    shown = await bot.cmd("/admin settings", user="mod")
    assert "UTC" in shown.text
    ok = await bot.cmd("/admin settings timezone europe/berlin", user="mod")
    assert "Europe/Berlin" in ok.text
