"""``/roadmap me|start|done|skip|reset`` and ``/challenge next``, driven like a conversation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import StepProgress
from tests.linking.support import DISCORD, SLACK, link_accounts, link_spaces
from tests.support.harness import BotHarness


async def _rows(bot: BotHarness) -> int:
    async with bot.services.sessions() as session:
        return (await session.execute(select(func.count()).select_from(StepProgress))).scalar_one()


async def test_a_fresh_member_sees_the_whole_plan_not_started(bot: BotHarness) -> None:
    reply = await bot.cmd("/roadmap me")
    assert reply.ephemeral
    assert reply.title == "Your roadmap: 0 of 16 steps finished"
    text = reply.plain_text()
    assert "step 1 of 16" in text and "/roadmap start web-basics" in text
    assert "5. Databases and SQL (`databases`): not started" in text
    assert "Checkpoint:" in text


async def test_start_pacing_done_with_link_and_twice(bot: BotHarness) -> None:
    started = await bot.cmd("/roadmap start databses")  # a typo is still closest-matched?
    assert "databases" in started.text
    await bot.cmd("/roadmap start databases")
    bot.clock.advance(timedelta(days=15))
    me = await bot.cmd("/roadmap me")
    assert "step 5 of 16" in me.text and "week 3 of" in me.text
    assert "in progress" in me.plain_text()
    done = await bot.cmd("/roadmap done databases https://github.com/me/sql wrote joins")
    assert done.title == "Finished step 5, Databases and SQL ✅"
    names = {f.name: f.value for f in done.fields}
    assert "Checkpoint you confirmed" in names
    assert names["Your work"] == "GitHub: https://github.com/me/sql"
    assert names["Note"] == "wrote joins"
    again = await bot.cmd("/roadmap done databases")
    assert again.ephemeral and "already finished" in again.text and "counted once" in again.text
    assert await _rows(bot) == 1
    me = await bot.cmd("/roadmap me")
    assert me.title == "Your roadmap: 1 of 16 steps finished"
    assert "(`databases`): done" in me.plain_text()


async def test_multi_word_step_skip_and_reset(bot: BotHarness) -> None:
    skipped = await bot.cmd("/roadmap skip web basics")
    assert "Skipped step 1" in skipped.text
    me = await bot.cmd("/roadmap me")
    assert "step 2 of 16" in me.text
    reset = await bot.cmd("/roadmap reset web-basics")
    assert "not started again" in reset.text
    assert "nothing to reset" in (await bot.cmd("/roadmap reset web-basics")).text
    assert await _rows(bot) == 0


async def test_unknown_step_and_bad_link(bot: BotHarness) -> None:
    unknown = await bot.cmd("/roadmap start quantum knitting")
    assert unknown.ephemeral and "I don't know a step called" in unknown.text
    closest = await bot.cmd("/roadmap done datbases")
    assert "`databases` (Databases and SQL)" in closest.text
    bad = await bot.cmd("/roadmap done git https://")
    assert bad.ephemeral and "well-formed" in bad.text
    assert await _rows(bot) == 0


async def test_challenges_count_toward_the_step_and_next_offers_an_undone_one(
    bot: BotHarness,
) -> None:
    await bot.cmd("/roadmap start web-basics")
    offered = await bot.cmd("/challenge next")
    assert offered.footer == "From your current step: How the web works"
    done_button = next(b for b in offered.buttons if b.value)
    await bot.press(done_button)
    me = await bot.cmd("/roadmap me")
    assert "(`web-basics`): in progress · challenges 1/" in me.plain_text()
    second = await bot.cmd("/challenge next")
    assert second.title != offered.title  # the done one is not offered again


async def test_linked_accounts_union_their_progress(bot: BotHarness) -> None:
    await link_spaces(bot)
    await bot.cmd("/roadmap done git", user="ann", platform=DISCORD)
    await bot.cmd("/roadmap start git", user="ann", platform=SLACK)
    await bot.cmd("/roadmap skip web-basics", user="ann", platform=SLACK)
    await link_accounts(bot, "ann")
    me = await bot.cmd("/roadmap me", user="ann", platform=SLACK)
    text = me.plain_text()
    assert me.title == "Your roadmap: 2 of 16 steps finished"
    assert "(`git`): done" in text and "(`web-basics`): skipped" in text
    assert await _rows(bot) == 2
