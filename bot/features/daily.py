"""A group's day: its local date, its track, and its challenge of the day.

Shared by ``/challenge``, ``/done`` (which records the day's challenge) and
``/done challenge`` (:mod:`bot.features.progress.challenges`), so none of them imports
another feature's command module.
"""

from __future__ import annotations

from bot.content.rotation import challenge_for
from bot.content.tracks import effective_track
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.db.repositories.rotation import RotationRepository


async def group_track(ctx: CommandContext) -> tuple[str, str | None]:
    """The group's track, and a note when its stored value no longer fits the content."""
    return effective_track(ctx.services.content, (await ctx.settings())["track"])


async def todays_challenge_id(ctx: CommandContext) -> str | None:
    """The id of the group's challenge of the day, if the content has one."""
    try:
        track, _ = await group_track(ctx)
        item = await challenge_for(
            RotationRepository(ctx.session),
            ctx.services.content,
            ctx.group.id,
            await ctx.group_today(),
            track,
            now=ctx.now,
        )
    except UserError:
        return None
    return item.id
