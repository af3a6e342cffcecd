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


async def test_projects_and_challenges_cross_platforms(both: BothPlatforms) -> None:
    discord, slack = both.discord, both.slack
    issued = await discord.run("admin", {}, subcommand="link-space", user=discord.fake.moderator_id)
    await slack.command("/admin", f"link-space {_code(issued.text)}", user=ADMIN)
    mine = await discord.run("link", {})
    await slack.command("/link", _code(mine.text), user=MEMBER)

    started = await slack.command("/project", "start url shortener", user=MEMBER)
    assert "Started URL shortener" in started.text, started.text
    ticked = await discord.run(
        "project", {"query": "milestone 1 done https://gitlab.com/ann/short"}
    )
    assert "Milestone 1 of 7 done" in ticked.text, ticked.text
    assert "GitLab: https://gitlab.com/ann/short" in ticked.text, ticked.text
    wrong = await slack.command("/project", "milestone 9 done", user=MEMBER)
    assert "milestones 1 to 7" in wrong.text, wrong.text
    on_slack = await slack.command("/project", "me", user=MEMBER)
    assert "URL shortener · 1 of 7 milestones" in on_slack.text, on_slack.text

    done = await slack.command("/done", "challenge web-basics-01", user=MEMBER)
    assert "challenges of step 1" in done.text, done.text
    road = await discord.run("roadmap", {"step": "me"})
    assert "challenges 1/" in road.text, road.text
