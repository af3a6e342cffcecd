"""``/done challenge [ID]`` and the Done button count challenges toward their steps."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models_progress import ChallengeDone, MilestoneProgress, ProjectProgress
from tests.linking.support import DISCORD, SLACK, link_accounts, link_spaces
from tests.support.harness import BotHarness


async def _count(bot: BotHarness, table: type) -> int:
    async with bot.services.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


def _web_basics_total(bot: BotHarness) -> int:
    return sum(1 for c in bot.services.content.bundle.challenges if c.step == "web-basics")


async def test_two_challenges_on_one_day_both_count_once_each(bot: BotHarness) -> None:
    total = _web_basics_total(bot)
    first = await bot.cmd("/done challenge web-basics-01 read the RFC")
    assert "checked in" in first.text
    assert f"done: 1 of {total} challenges of step 1, How the web works" in first.text
    second = await bot.cmd("/done challenge web-basics-02")
    assert "Already counted today" in second.text  # the day counts once …
    assert f"done: 2 of {total} challenges" in second.text  # … the challenge still counts
    again = await bot.cmd("/done challenge web-basics-02")
    assert "it counts once" in again.text
    assert await _count(bot, ChallengeDone) == 2
    me = await bot.cmd("/roadmap me")
    assert f"(`web-basics`): not started · challenges 2/{total}" in me.plain_text()


async def test_plain_done_does_not_claim_a_challenge_and_unknown_ids_are_named(
    bot: BotHarness,
) -> None:
    await bot.cmd("/done fixed a bug")
    assert await _count(bot, ChallengeDone) == 0
    unknown = await bot.cmd("/done challenge web-basics-99")
    assert "I don't know a challenge `web-basics-99`" in unknown.text
    assert "`web-basics-09`" in unknown.text
    assert await _count(bot, ChallengeDone) == 0


async def test_done_challenge_without_id_counts_todays_group_challenge(bot: BotHarness) -> None:
    today = await bot.cmd("/challenge")
    done = await bot.cmd("/done challenge")
    assert "Challenge **" in done.text and today.title and "challenges of step" in done.text
    assert await _count(bot, ChallengeDone) == 1


async def test_linking_unions_challenges_and_projects(bot: BotHarness) -> None:
    await link_spaces(bot)
    await bot.cmd("/done challenge web-basics-01", user="ann", platform=DISCORD)
    await bot.cmd("/done challenge web-basics-01", user="ann", platform=SLACK)
    await bot.cmd("/done challenge web-basics-03", user="ann", platform=SLACK)
    await bot.cmd("/project start url-shortener", user="ann", platform=DISCORD)
    await bot.cmd("/project milestone 1 done", user="ann", platform=DISCORD)
    await bot.cmd("/project start url-shortener", user="ann", platform=SLACK)
    await bot.cmd("/project milestone 2 done", user="ann", platform=SLACK)
    await bot.cmd("/project start blog api", user="ann", platform=SLACK)
    await link_accounts(bot, "ann")
    assert await _count(bot, ChallengeDone) == 2
    assert await _count(bot, ProjectProgress) == 2
    assert await _count(bot, MilestoneProgress) == 2
    me = await bot.cmd("/project me", user="ann", platform=DISCORD)
    assert me.title == "Your projects: 2 active, 0 finished"
    assert "2 of" in me.plain_text()
    road = await bot.cmd("/roadmap me", user="ann", platform=DISCORD)
    assert "challenges 2/" in road.plain_text()
