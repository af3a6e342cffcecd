"""Replies for the daily items: a challenge (with its **Done** button) and a tip."""

from __future__ import annotations

import re
from datetime import date

from bot.content.render.limits import chunked_fields, fit
from bot.content.render.text import bullets, day_label, duration, link_line, step_label
from bot.content.schema import Challenge, Tip
from bot.content.store import ContentStore
from bot.core.models import Button, ButtonStyle, Reply

DONE_ACTION = "checkin.done"


_DONE_PREFIX = re.compile(r"^you are done when,?\s+", re.IGNORECASE)


def _done_when(text: str) -> str:
    """Drop a leading "You are done when" that would repeat the **Done when:** label."""
    return _DONE_PREFIX.sub("", text, count=1)


def challenge_footer(challenge: Challenge, store: ContentStore) -> str:
    """``Step 5 · Databases · beginner · ~30 min``."""
    step = store.step(challenge.step)
    where = step_label(step) if step is not None else challenge.step
    return f"{where} · {challenge.level.value} · {duration(challenge.minutes)}"


def challenge_reply(
    challenge: Challenge,
    store: ContentStore,
    *,
    day: date | None = None,
    with_done_button: bool = True,
) -> Reply:
    """A challenge: task, when it counts as done, hints, links and a **Done** button.

    Args:
        challenge: The challenge to show.
        store: The content, for the step's name.
        day: The group's local date it is the challenge of; named in the title.
        with_done_button: Add the **Done** check-in button (its value is the challenge id).
    """
    heading = f"Challenge for {day_label(day)}" if day is not None else "Challenge"
    text = f"{challenge.task.strip()}\n\n**Done when:** {_done_when(challenge.done_when)}"
    if with_done_button:
        text += "\n\nFinished? Press **Done** or type `/done` with a note or a link."
    fields = chunked_fields("Hints", bullets(challenge.hints))
    fields += chunked_fields("Links", (link_line(link) for link in challenge.links))
    buttons: tuple[Button, ...] = ()
    if with_done_button:
        buttons = (
            Button("Done", action_id=DONE_ACTION, value=challenge.id, style=ButtonStyle.SUCCESS),
        )
    return fit(
        Reply(
            title=f"{heading}: {challenge.title}",
            text=text,
            fields=fields,
            buttons=buttons,
            footer=challenge_footer(challenge, store),
        )
    )


def tip_reply(tip: Tip, store: ContentStore, *, day: date | None = None) -> Reply:
    """A resource tip with its link, tagged with its roadmap step."""
    text = tip.text
    if tip.link is not None:
        text += f"\n\n{link_line(tip.link)}"
    step = store.step(tip.step)
    footer = step_label(step) if step is not None else tip.step
    if day is not None:
        footer = f"Tip for {day_label(day)} · {footer}"
    footer += f" · more in `/roadmap {tip.step}`"
    return fit(
        Reply(
            title=f"Tip: {tip.title}",
            text=text,
            footer=footer,
        )
    )
