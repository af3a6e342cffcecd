"""Every content item renders within Discord's and Slack's limits, completely."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content.loader import ContentBundle
from bot.content.render import (
    DONE_ACTION,
    challenge_reply,
    phase_reply,
    problems,
    project_list_reply,
    project_reply,
    project_suggestion_reply,
    roadmap_overview_reply,
    routine_reply,
    routines_reply,
    step_reply,
    tip_reply,
)
from bot.content.render.limits import (
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    chunked_fields,
    embed_size,
    fit,
)
from bot.content.schema import Challenge, Link, Step
from bot.content.store import ContentStore
from bot.core.models import ButtonStyle, Reply, ReplyField

DAY = date(2026, 3, 2)


def _all_text(reply: Reply) -> str:
    return reply.plain_text()


def test_every_challenge_fits_and_is_complete(content_store: ContentStore) -> None:
    challenges = content_store.bundle.challenges
    assert len(challenges) == 192
    for challenge in challenges:
        reply = challenge_reply(challenge, content_store, day=DAY)
        assert problems(reply) == [], challenge.id
        text = _all_text(reply)
        # Nothing was cut: the whole task, every hint and every link is there.
        assert challenge.task.strip() in text, challenge.id
        assert all(hint in text for hint in challenge.hints), challenge.id
        assert all(str(link.url) in text for link in challenge.links), challenge.id
        (button,) = reply.buttons
        assert (button.label, button.action_id, button.value) == ("Done", DONE_ACTION, challenge.id)
        assert button.style is ButtonStyle.SUCCESS


def test_challenge_footer_names_step_level_and_time(content_store: ContentStore) -> None:
    challenge = next(c for c in content_store.bundle.challenges if c.step == "databases")
    reply = challenge_reply(challenge, content_store, with_done_button=False)
    step = content_store.step("databases")
    assert step is not None
    minutes = challenge.minutes
    assert reply.footer is not None
    assert reply.footer.startswith(f"Step {step.number} · {step.title} · {challenge.level.value}")
    assert reply.footer.endswith(f"{minutes % 60} min" if minutes % 60 else "h")
    assert reply.buttons == ()
    assert "Press **Done**" not in reply.text


def test_every_tip_fits_and_is_complete(content_store: ContentStore) -> None:
    assert len(content_store.bundle.tips) == 96
    for tip in content_store.bundle.tips:
        reply = tip_reply(tip, content_store, day=DAY)
        assert problems(reply) == [], tip.id
        assert tip.text in reply.text
        if tip.link is not None:
            assert f"{tip.link.title}: {tip.link.url}" in reply.text


def test_every_step_and_phase_fits_and_is_complete(content_store: ContentStore) -> None:
    assert len(content_store.steps) == 16
    for step in content_store.steps:
        reply = step_reply(step, content_store)
        assert problems(reply) == [], (step.id, problems(reply))
        text = _all_text(reply)
        for line in [*step.learn, *step.practice, *step.mistakes, step.checkpoint]:
            assert line in text, (step.id, line)
        assert all(r.name in text for r in step.resources), step.id
    for phase in content_store.phases:
        reply = phase_reply(phase, content_store)
        assert problems(reply) == [], phase.id
        assert all(topic in _all_text(reply) for topic in phase.topics)


def test_every_project_fits_in_each_view(content_store: ContentStore) -> None:
    projects = content_store.bundle.projects
    assert len(projects) == 18
    for project in projects:
        full = project_reply(project, content_store)
        assert problems(full) == [], project.id
        text = _all_text(full)
        assert all(m.detail in text for m in project.milestones), project.id
        assert all(goal in text for goal in project.stretch), project.id
        suggestion = project_suggestion_reply(project, projects[:2], content_store)
        assert problems(suggestion) == [], project.id
    assert problems(project_list_reply(projects)) == []


def test_overview_and_routines_fit(content_store: ContentStore) -> None:
    overview = roadmap_overview_reply(content_store, track="all")
    assert problems(overview) == []
    assert all(step.title in _all_text(overview) for step in content_store.steps)
    assert problems(routines_reply(content_store.bundle.routines)) == []
    for routine in content_store.bundle.routines:
        reply = routine_reply(routine)
        assert problems(reply) == []
        assert all(block.activity in _all_text(reply) for block in routine.blocks)


def test_long_lists_continue_in_further_fields_without_losing_lines() -> None:
    lines = [f"- item {i} " + "x" * 300 for i in range(12)]
    fields = chunked_fields("What to learn", lines)
    assert len(fields) > 1
    assert fields[1].name == "What to learn (continued)"
    assert all(len(f.value) <= FIELD_VALUE_MAX for f in fields)
    assert [line for f in fields for line in f.value.split("\n")] == lines


def test_fit_cuts_oversized_replies_down_to_every_limit() -> None:
    huge = Reply(
        title="t" * 400,
        text="x" * 5000,
        fields=tuple(ReplyField(f"field {i}", "y" * 2000) for i in range(40)),
        footer="f" * 3000,
    )
    assert problems(huge)
    fitted = fit(huge)
    assert problems(fitted) == []
    assert embed_size(fitted) <= EMBED_TOTAL_MAX
    assert fitted.footer is not None and "shortened" in fitted.footer


def test_group_content_at_the_schema_maxima_still_fits(content_store: ContentStore) -> None:
    """A group's own content may use every list and length the schema allows."""
    base = content_store.bundle
    step = base.steps[0]
    long_url = "https://example.com/" + "a" * 1500
    maxed_step = Step.model_validate(
        {
            **step.model_dump(mode="json"),
            "summary": "s" * 900,
            "learn": ["l" * 400] * 12,
            "practice": ["p" * 400] * 10,
            "resources": [{"name": "n" * 120, "kind": "docs", "url": long_url, "note": "o" * 400}]
            * 10,
            "checkpoint": "c" * 900,
            "mistakes": ["m" * 400] * 8,
        }
    )
    challenge = Challenge(
        id="maxed",
        step=step.id,
        level=base.challenges[0].level,
        title="T" * 120,
        task="k" * 1500,
        done_when="d" * 900,
        hints=["h" * 400] * 5,
        links=[Link(title="L" * 120, url=long_url)] * 4,  # type: ignore[arg-type]
        minutes=240,
    )
    store = ContentStore(
        ContentBundle(
            phases=base.phases,
            steps=(maxed_step, *base.steps[1:]),
            routines=base.routines,
            challenges=(challenge,),
            tips=base.tips,
            projects=base.projects,
            source=base.source,
        )
    )
    for reply in (step_reply(maxed_step, store), challenge_reply(challenge, store, day=DAY)):
        assert problems(reply) == []


@pytest.mark.parametrize("minutes, label", [(30, "~30 min"), (60, "~1 h"), (75, "~1 h 15 min")])
def test_durations_read_naturally(minutes: int, label: str) -> None:
    from bot.content.render.text import duration

    assert duration(minutes) == label
