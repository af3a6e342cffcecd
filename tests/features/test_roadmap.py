"""``/roadmap``: the plan, one step by id, number or fuzzy name, phases and routines."""

from __future__ import annotations

import pytest

from bot.core.models import Platform
from tests.support.harness import BotHarness


async def test_overview_lists_every_phase_and_step(bot: BotHarness) -> None:
    reply = await bot.cmd("/roadmap")
    store = bot.services.content
    assert reply.title == "Backend roadmap: 6 phases, 16 steps over 12 months"
    text = reply.plain_text()
    for phase in store.phases:
        assert any(f.name.startswith(f"Phase {phase.number} ·") for f in reply.fields)
    for step in store.steps:
        assert f"{step.number}. {step.title} (`{step.id}`)" in text
    assert "Daily routines" in text
    assert reply.footer == "This group's track: all"
    assert not reply.ephemeral


@pytest.mark.parametrize(
    "query", ["databases", "5", "Databases and SQL", "postgres", "DATABASES", "database"]
)
async def test_step_by_id_number_title_or_alias(bot: BotHarness, query: str) -> None:
    reply = await bot.cmd(f"/roadmap {query}")
    assert reply.title == "Step 5 of 16: Databases and SQL"
    names = [f.name for f in reply.fields]
    assert names[:2] == ["What to learn", "What to learn (continued)"]
    assert {"Practice", "Resources", "Checkpoint", "Common mistakes"} <= set(names)
    assert reply.footer is not None and "Next: 6 Backend frameworks" in reply.footer


async def test_multi_word_names_work_without_quotes(bot: BotHarness) -> None:
    reply = await bot.cmd("/roadmap web basics")
    assert reply.title == "Step 1 of 16: How the web works"
    caching = await bot.cmd("/roadmap caching")
    assert caching.title is not None and caching.title.endswith("Caching")


async def test_typo_answers_with_the_closest_steps(bot: BotHarness) -> None:
    reply = await bot.cmd("/roadmap datbases")
    assert reply.ephemeral
    assert "I don't know a step called `datbases`" in reply.text
    assert "`databases` (Databases and SQL)" in reply.text


async def test_unknown_step_lists_the_steps(bot: BotHarness) -> None:
    reply = await bot.cmd("/roadmap quantum knitting")
    assert reply.ephemeral
    assert "quantum knitting" in reply.text
    assert all(f"`{s.id}`" in reply.text for s in bot.services.content.steps)


async def test_phase_by_id_or_number(bot: BotHarness) -> None:
    by_id = await bot.cmd("/roadmap cs-and-data")
    by_number = await bot.cmd("/roadmap phase 2")
    assert by_id == by_number
    assert by_id.title == "Phase 2 (months 3–4): Computer science basics and data"
    steps = next(f for f in by_id.fields if f.name == "Steps")
    assert "4. Data structures and algorithms (`dsa`)" in steps.value
    assert by_id.footer == "Set as the group's track with `/admin settings track cs-and-data`"


async def test_routines(bot: BotHarness) -> None:
    overview = await bot.cmd("/roadmap routine")
    assert overview.title == "Daily routines"
    assert len(overview.fields) == 3
    beginner = await bot.cmd("/roadmap routine beginner")
    assert beginner.title == "Beginner routine: build the habit"
    assert beginner.footer == "beginner · ~1 h 50 min a day"
    short = await bot.cmd("/roadmap routines int")
    assert short.title is not None and short.title.startswith("Intermediate routine")
    unknown = await bot.cmd("/roadmap routine expert")
    assert unknown.ephemeral and "no `expert` routine" in unknown.text


async def test_discord_typed_option_gives_the_same_reply(bot: BotHarness) -> None:
    assert bot.app.dispatcher is not None
    invocation = bot.invocation(
        "roadmap", None, args={"step": "caching"}, platform=Platform.DISCORD
    )
    typed = await bot.app.dispatcher.dispatch(invocation)
    assert typed == await bot.cmd("/roadmap caching", platform=Platform.DISCORD)


async def test_autocomplete_offers_step_ids(bot: BotHarness) -> None:
    assert bot.app.dispatcher is not None
    invocation = bot.invocation("roadmap", None, platform=Platform.DISCORD)
    complete = bot.app.dispatcher.complete
    assert await complete(invocation, "roadmap.steps", "") == [
        s.id for s in bot.services.content.steps
    ]
    assert await complete(invocation, "roadmap.steps", "redis") == ["caching"]
    assert await complete(invocation, "roadmap.steps", "1") == ["web-basics"] + [
        s.id for s in bot.services.content.steps if str(s.number).startswith("1") and s.number > 1
    ]
    assert "databases" in await complete(invocation, "roadmap.steps", "dat")
