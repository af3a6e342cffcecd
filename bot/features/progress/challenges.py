"""Challenges counted toward steps: ``/done challenge [ID]`` and the challenge's Done button.

A done challenge is a ``challenge_done`` row (one per member and challenge, first date
kept), written in the invocation's transaction next to the check-in, so a second
challenge on an already counted day still counts toward its step.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import date

from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.db.repositories import progress as progress_repo
from bot.features.daily import todays_challenge_id


async def resolve_done_challenge(ctx: CommandContext, words: list[str]) -> tuple[str, str | None]:
    """``(challenge id, note)`` for ``/done challenge [ID] [NOTE]``.

    Without an id it is the group's challenge of the day; an unknown id is answered with
    the closest ids.
    """
    store = ctx.services.content
    if words:
        found = store.challenge(words[0].lower())
        if found is not None:
            return found.id, " ".join(words[1:]) or None
    if not words or not _looks_like_id(words[0]):
        today = await todays_challenge_id(ctx)
        if today is None:
            raise UserError("There is no challenge today; `/challenge next` offers one.")
        return today, " ".join(words) or None
    ids = [c.id for c in store.bundle.challenges]
    close = difflib.get_close_matches(words[0].lower(), ids, n=5, cutoff=0.6)
    hint = f" Closest: {', '.join(f'`{c}`' for c in close)}." if close else ""
    raise UserError(
        f"I don't know a challenge `{words[0]}`.{hint} "
        "`/done challenge` alone counts today's challenge."
    )


def _looks_like_id(word: str) -> bool:
    """A challenge id is a hyphenated slug (``http-status-codes``); a note word is not."""
    return "-" in word and word.replace("-", "").isalnum()


async def record_done_challenge(
    ctx: CommandContext, reply: Reply, challenge_id: str, day: date
) -> Reply:
    """Record the challenge as done and add what it counts toward to ``reply``."""
    store = ctx.services.content
    challenge = store.challenge(challenge_id)
    if challenge is None:
        return reply
    new = await progress_repo.record_challenge(
        ctx.session, ctx.group.id, ctx.member.id, challenge.id, day, challenge.step
    )
    step = store.step(challenge.step)
    done = set(await progress_repo.done_challenges(ctx.session, ctx.member.id))
    of_step = [c for c in store.bundle.challenges if c.step == challenge.step]
    count = sum(1 for c in of_step if c.id in done)
    where = f"step {step.number}, {step.title}" if step else f"step `{challenge.step}`"
    line = (
        f"Challenge **{challenge.title}** done: {count} of {len(of_step)} challenges of {where}."
        if new
        else f"You had done **{challenge.title}** before; it counts once ({where})."
    )
    return replace(reply, text=f"{reply.text}\n{line}" if reply.text else line)
