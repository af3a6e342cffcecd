"""``/project start|me|milestone|drop``, driven like a conversation on the console."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models_progress import MilestoneProgress, ProjectProgress
from tests.support.harness import BotHarness


async def _count(bot: BotHarness, table: type) -> int:
    async with bot.services.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_start_me_tick_every_milestone_and_finish_once(bot: BotHarness) -> None:
    project = bot.services.content.project("url-shortener")
    assert project is not None
    count = len(project.milestones)
    none = await bot.cmd("/project me")
    assert "no project on the go" in none.text
    started = await bot.cmd("/project start url shortner")  # a typo still finds it
    assert started.title == f"Started {project.name}"
    assert f"milestone 1, {project.milestones[0].title}" in started.text
    again = await bot.cmd("/project start url-shortener")
    assert again.ephemeral and "already building" in again.text
    first = await bot.cmd("/project milestone 1 done https://github.com/ann/short")
    assert first.title == f"Milestone 1 of {count} done: {project.milestones[0].title} ✅"
    fields = {f.name: f.value for f in first.fields}
    assert fields["Your work"] == "GitHub: https://github.com/ann/short"
    twice = await bot.cmd("/project milestone 1 done")
    assert "already ticked" in twice.text
    me = await bot.cmd("/project me")
    assert me.title == "Your projects: 1 active, 0 finished"
    body = me.plain_text()
    assert f"{project.name} · 1 of {count} milestones" in body
    assert "✅ 1." in body and "GitHub: https://github.com/ann/short" in body
    assert f"Next:** milestone 2, {project.milestones[1].title}" in body
    for number in range(2, count + 1):
        bot.clock.advance(timedelta(days=2))
        last = await bot.cmd(f"/project milestone {number} done")
    assert last.title == f"Finished {project.name} 🎉" and not last.ephemeral
    assert project.stretch[0] in last.text
    done_again = await bot.cmd(f"/project milestone {count} done url shortener")
    assert "finished" in done_again.text and "counted once" in done_again.text
    assert await _count(bot, ProjectProgress) == 1
    assert await _count(bot, MilestoneProgress) == count
    me = await bot.cmd("/project me")
    assert me.title == "Your projects: 0 active, 1 finished"


async def test_bad_input_gets_clear_answers_and_stores_nothing(bot: BotHarness) -> None:
    several_match = await bot.cmd("/project start api")
    assert "I don't know a project called `api`" in several_match.text
    assert "Closest" in several_match.text
    unknown = await bot.cmd("/project start quantum toaster")
    assert "I don't know a project called `quantum toaster`" in unknown.text
    no_active = await bot.cmd("/project milestone 1 done")
    assert "no active project" in no_active.text
    await bot.cmd("/project start url-shortener")
    project = bot.services.content.project("url-shortener")
    assert project is not None
    count = len(project.milestones)
    out_of_range = await bot.cmd("/project milestone 99 done")
    assert f"milestones 1 to {count}" in out_of_range.text
    not_number = await bot.cmd("/project milestone two done")
    assert "not a milestone number" in not_number.text
    bad_link = await bot.cmd("/project milestone 1 done http://")
    assert "not a well-formed http(s) link" in bad_link.text
    await bot.cmd("/project start blog api")
    several = await bot.cmd("/project milestone 1 done")
    assert "several projects" in several.text
    named = await bot.cmd("/project milestone 1 done https://gitlab.com/ann/blog blog api")
    assert "GitLab: https://gitlab.com/ann/blog" in named.plain_text()
    assert await _count(bot, MilestoneProgress) == 1
    usage = await bot.cmd("/project drop")
    assert "Which project?" in usage.text


async def test_drop_keeps_milestones_and_start_resumes(bot: BotHarness) -> None:
    await bot.cmd("/project start url-shortener")
    await bot.cmd("/project milestone 1 done")
    dropped = await bot.cmd("/project drop url shortener")
    assert "Dropped" in dropped.text and "1 ticked milestones are kept" in dropped.text
    assert "already dropped" in (await bot.cmd("/project drop url-shortener")).text
    assert "no project on the go" in (await bot.cmd("/project me")).text
    resumed = await bot.cmd("/project start url-shortener")
    assert resumed.title.startswith("Picked up")
    assert "milestone 2" in resumed.text
    never = await bot.cmd("/project drop blog api")
    assert "not started" in never.text


async def test_plain_project_queries_still_suggest_ideas(bot: BotHarness) -> None:
    shown = await bot.cmd("/project url shortener")
    assert "Milestones" in shown.plain_text() or shown.title
    level = await bot.cmd("/project beginner")
    assert "project idea" in (level.title or "").lower()
