"""Roadmap progress end to end through the real Discord and Slack adapters.

A member finishes a step with ``/roadmap done`` on Slack and sees it in ``/roadmap me``
on Discord (and on Slack), through the loopback platforms.
"""

from __future__ import annotations

from tests.adapters.slack.support import ADMIN, MEMBER
from tests.adapters.test_cross_platform_e2e import BothPlatforms, _code, both

__all__ = ["both"]  # the fixture, imported so pytest finds it here


async def test_roadmap_done_on_slack_shows_in_roadmap_me_on_discord(both: BothPlatforms) -> None:
    discord, slack = both.discord, both.slack
    issued = await discord.run("admin", {}, subcommand="link-space", user=discord.fake.moderator_id)
    await slack.command("/admin", f"link-space {_code(issued.text)}", user=ADMIN)
    mine = await discord.run("link", {})
    await slack.command("/link", _code(mine.text), user=MEMBER)

    fresh = await discord.run("roadmap", {"step": "me"})
    assert fresh.ephemeral and "0 of 16 steps finished" in fresh.text, fresh.text

    done = await slack.command("/roadmap", "done git https://github.com/ann/dotfiles", user=MEMBER)
    assert "Finished step 3, Git and GitHub" in done.text, done.text
    assert "GitHub: https://github.com/ann/dotfiles" in done.text, done.text
    twice = await discord.run("roadmap", {"step": "done git"})
    assert "already finished" in twice.text, twice.text

    on_discord = await discord.run("roadmap", {"step": "me"})
    assert "1 of 16 steps finished" in on_discord.text, on_discord.text
    assert "Git and GitHub (`git`): done" in on_discord.text, on_discord.text
    on_slack = await slack.command("/roadmap", "me", user=MEMBER)
    assert "1 of 16 steps finished" in on_slack.text, on_slack.text
