"""``/project``: ideas stable per member and day, filters, full projects, close matches."""

from __future__ import annotations

from datetime import timedelta

from bot.content.schema import Project
from bot.core.models import Platform, Reply
from tests.support.harness import BotHarness


def named_projects(bot: BotHarness, reply: Reply) -> list[Project]:
    """The projects a suggestion names: the chosen one, then those under "More ideas"."""
    store = bot.services.content
    assert reply.title is not None
    chosen = [p for p in store.bundle.projects if reply.title.endswith(f": {p.name}")]
    more = next((f.value for f in reply.fields if f.name == "More ideas"), "")
    return chosen + [p for p in store.bundle.projects if f"`{p.id}`" in more]


async def test_plain_project_is_one_idea_stable_within_a_day(bot: BotHarness) -> None:
    first = await bot.cmd("/project")
    assert first.title is not None and first.title.startswith("Project idea: ")
    assert [f.name for f in first.fields] == ["Where to start"]
    assert first.footer is not None and first.footer.startswith("18 project ideas · ")
    bot.clock.advance(timedelta(hours=6))
    assert await bot.cmd("/project") == first


async def test_ideas_vary_between_members_and_days(bot: BotHarness) -> None:
    by_member = {(await bot.cmd("/project", user=f"member{i}")).title for i in range(12)}
    assert len(by_member) > 1
    by_day = set()
    for _ in range(12):
        by_day.add((await bot.cmd("/project", user="ann")).title)
        bot.clock.advance(timedelta(days=1))
    assert len(by_day) > 1


async def test_full_project_by_name(bot: BotHarness) -> None:
    reply = await bot.cmd("/project url shortener")
    project = bot.services.content.project("url-shortener")
    assert project is not None
    assert reply.title == "Project: URL shortener"
    names = [f.name for f in reply.fields]
    assert names == ["Milestones", "Stretch goals", "Suggested stacks"]
    milestones = reply.fields[0].value.splitlines()
    assert len(milestones) == len(project.milestones)
    assert milestones[0] == f"1. **{project.milestones[0].title}**: {project.milestones[0].detail}"
    assert "**Level:** beginner" in reply.text
    # Aliases, ids and quoted names find it too.
    for query in ("bitly clone", "url-shortener", '"URL shortener"'):
        assert (await bot.cmd(f"/project {query}")).title == reply.title


async def test_a_step_suggests_projects_that_practise_it(bot: BotHarness) -> None:
    reply = await bot.cmd("/project caching")
    assert reply.title is not None and reply.title.startswith("Project idea for step 10: ")
    suggested = named_projects(bot, reply)
    assert len(suggested) == 3
    assert all("caching" in p.steps for p in suggested)
    matching = [p for p in bot.services.content.bundle.projects if "caching" in p.steps]
    assert reply.footer is not None
    assert reply.footer.startswith(f"{len(matching)} project ideas for step 10 Caching")


async def test_level_filter_suggests_one_and_lists_two_more(bot: BotHarness) -> None:
    reply = await bot.cmd("/project beginner")
    assert reply.title is not None and reply.title.startswith("Beginner project idea: ")
    suggested = named_projects(bot, reply)
    assert len(suggested) == 3 and len({p.id for p in suggested}) == 3
    assert all(p.level.value == "beginner" for p in suggested)


async def test_level_and_step_together(bot: BotHarness) -> None:
    reply = await bot.cmd("/project advanced apis")
    suggested = named_projects(bot, reply)
    assert suggested and all(p.level.value == "advanced" and "apis" in p.steps for p in suggested)
    by_name = await bot.cmd("/project level:advanced query:apis")
    assert by_name == reply


async def test_no_match_for_a_filter_says_so(bot: BotHarness) -> None:
    reply = await bot.cmd("/project beginner system design")
    beginner_sd = [
        p
        for p in bot.services.content.bundle.projects
        if p.level.value == "beginner" and "system-design" in p.steps
    ]
    if beginner_sd:  # the content may grow one; then it must be suggested
        assert reply.title is not None and not reply.ephemeral
    else:
        assert reply.ephemeral and "There are no beginner project ideas" in reply.text


async def test_a_topic_word_finds_projects_mentioning_it(bot: BotHarness) -> None:
    # `prometheus` names no project and no step; some projects mention it in their text.
    reply = await bot.cmd("/project prometheus")
    suggested = named_projects(bot, reply)
    assert suggested
    assert all("prometheus" in p.model_dump_json().lower() for p in suggested)
    assert reply.title is not None and reply.title.startswith("Project idea about prometheus: ")


async def test_unknown_name_answers_with_the_closest_matches(bot: BotHarness) -> None:
    typo = await bot.cmd("/project url shortner")
    assert typo.title == "Project: URL shortener"  # one close match: just show it
    unknown = await bot.cmd("/project datbases")
    assert unknown.ephemeral
    assert "I don't know a project or topic called `datbases`" in unknown.text
    assert "step `databases`" in unknown.text
    nothing = await bot.cmd("/project zzqx")
    assert nothing.ephemeral and "`/project` suggests an idea" in nothing.text


async def test_autocomplete_offers_project_names(bot: BotHarness) -> None:
    assert bot.app.dispatcher is not None
    invocation = bot.invocation("project", None, platform=Platform.DISCORD)
    complete = bot.app.dispatcher.complete
    assert await complete(invocation, "projects.names", "url") == ["URL shortener"]
    assert await complete(invocation, "projects.names", "shortener") == ["URL shortener"]
    assert len(await complete(invocation, "projects.names", "")) == 18
