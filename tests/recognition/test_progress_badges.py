"""Roadmap badges: the first step, a whole phase and the first project finished."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models_recognition import Award
from bot.features.schedule.runtime import runtime_of
from tests.support.harness import BotHarness


async def held(bot: BotHarness) -> list[tuple[str, str]]:
    async with bot.services.sessions() as session:
        query = select(Award.milestone, Award.note).order_by(Award.id)
        return [(m, n or "") for m, n in (await session.execute(query)).all()]


async def test_the_first_step_and_a_whole_phase_earn_badges_once(bot: BotHarness) -> None:
    content = bot.services.content
    phase = content.phases[0]
    steps = [s for s in content.steps if s.phase == phase.id]
    await bot.cmd(f"/roadmap done {steps[0].id}")
    assert (await held(bot))[0] == ("first-step", f"step {steps[0].id}")
    for step in steps[1:]:
        await bot.cmd(f"/roadmap done {step.id}")
    assert [m for m, _ in await held(bot)] == ["first-step", "first-phase"]
    await runtime_of(bot.services).settle()
    cheers = [m.reply.text for m in bot.adapter.sent if m.reply.title == "Milestones"]
    assert any("👣 first roadmap step finished" in text for text in cheers)
    assert any("🎓 a roadmap phase finished" in text for text in cheers)
    listed = await bot.cmd("/badges")
    assert "👣 first roadmap step finished" in listed.text and "🎓" in listed.text


async def test_finishing_a_project_earns_the_first_project_badge(bot: BotHarness) -> None:
    project = bot.services.content.project("url-shortener")
    assert project is not None
    await bot.cmd("/project start url-shortener")
    for number in range(1, len(project.milestones) + 1):
        await bot.cmd(f"/project milestone {number} done")
    assert ("first-project", "project url-shortener") in await held(bot)
    assert "🛠️ first project finished" in (await bot.cmd("/badges")).text
