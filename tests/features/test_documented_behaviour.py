"""Documented behaviour that did not work (issue 19): `/streak share`, step numbers out of
range, a mistyped option name, `/settings` suggesting only what would change."""

from __future__ import annotations

import pytest

from tests.support.harness import BotHarness


@pytest.mark.parametrize("line", ["/streak share", "/streak you share", "/streak share:on"])
async def test_streak_share_posts_in_the_channel(bot: BotHarness, line: str) -> None:
    await bot.cmd("/done first", user="you")
    reply = await bot.cmd(line, user="you")
    assert not reply.ephemeral, reply.text
    assert "Current streak: **1 day**" in reply.text


async def test_streak_without_share_stays_private(bot: BotHarness) -> None:
    assert (await bot.cmd("/streak", user="you")).ephemeral


@pytest.mark.parametrize("number", ["99", "0", "-1", "17", "+20"])
async def test_a_step_number_out_of_range_says_how_many_there_are(
    bot: BotHarness, number: str
) -> None:
    for line in (f"/roadmap {number}", f"/roadmap start {number}"):
        text = (await bot.cmd(line)).text
        assert "There are 16 steps (1–16)" in text, text
        assert "Step " not in text


@pytest.mark.parametrize("number", ["1", "9", "16"])
async def test_a_step_number_in_range_shows_that_step(bot: BotHarness, number: str) -> None:
    assert f"Step {number} of 16" in ((await bot.cmd(f"/roadmap {number}")).title or "")


async def test_a_mistyped_option_name_is_not_a_timezone(bot: BotHarness) -> None:
    reply = await bot.cmd("/settings foo:bar")
    assert "There is no option `foo`" in reply.text and "`timezone`" in reply.text
    assert "timezone I know" not in reply.text
    # Times and links with a colon still go where they belong.
    assert (
        "Your timezone is now **Europe/Berlin**" in (await bot.cmd("/settings Europe/Berlin")).text
    )


async def test_settings_suggest_what_would_change(bot: BotHarness) -> None:
    hidden = await bot.cmd("/settings hide")
    assert "`leaderboard:show`" in (hidden.footer or "")
    assert "leaderboard:hide" not in (hidden.footer or "")
    on = await bot.cmd("/settings reminders:on timezone:Europe/Berlin")
    footer = on.footer or ""
    assert "`reminders:off`" in footer and "reminders:on" not in footer
    assert "timezone:group" in footer
