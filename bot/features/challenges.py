"""``/challenge`` and ``/tip``: the group's item of the day from the rotation.

"Today" is the **group's** local date (its timezone and day start), not the member's, so
everyone in a group sees the same challenge as the scheduled post. Which challenges a
group gets follows its ``track`` setting; this module also makes ``/admin settings
track`` check the value against the content in use.
"""

from __future__ import annotations

import random
from dataclasses import replace

from bot.content.render import challenge_reply, tip_reply
from bot.content.rotation import NothingToDraw, challenge_for, tip_for
from bot.content.store import ContentStore
from bot.content.tracks import validate_track
from bot.core.commands import Param, ParamKind, Router
from bot.core.context import CommandContext
from bot.core.models import Reply
from bot.core.settings_specs import SettingSpec
from bot.db.repositories.rotation import RotationRepository
from bot.features.daily import group_track

ORDER = 20

router = Router()

_random = random.SystemRandom()


def _with_note(reply: Reply, note: str | None) -> Reply:
    if note is None:
        return reply
    footer = f"{reply.footer} · {note}" if reply.footer else note
    return replace(reply, footer=footer)


@router.command(
    "challenge",
    "Today's challenge for this group, or next: one from your current roadmap step.",
    params=(Param("which", ParamKind.CHOICE, "today or next", choices=("today", "next")),),
    examples=("", "next"),
)
async def challenge(ctx: CommandContext, which: str = "today") -> Reply:
    """The group's challenge of the day (or, with ``next``, one for the member's step)."""
    store = ctx.services.content
    if which == "next":
        from bot.features.progress.commands import next_challenge

        return await next_challenge(ctx)
    day = await ctx.group_today()
    track, note = await group_track(ctx)
    item = await challenge_for(
        RotationRepository(ctx.session), store, ctx.group.id, day, track, now=ctx.now
    )
    return _with_note(challenge_reply(item, store, day=day), note)


@router.command(
    "tip",
    "Today's resource tip, or a random one.",
    params=(
        Param(
            "which",
            ParamKind.CHOICE,
            "today (the default) or random",
            choices=("today", "random"),
        ),
    ),
    examples=("", "random"),
)
async def tip(ctx: CommandContext, which: str = "today") -> Reply:
    """The group's tip of the day, or any tip from the group's pool."""
    store = ctx.services.content
    track, note = await group_track(ctx)
    if which == "random":
        pool = store.tips_for_track(track) or list(store.bundle.tips)
        if not pool:
            raise NothingToDraw("There are no tips in the content yet.")
        return _with_note(tip_reply(_random.choice(pool), store), note)
    day = await ctx.group_today()
    item = await tip_for(
        RotationRepository(ctx.session), store, ctx.group.id, day, track, now=ctx.now
    )
    return _with_note(tip_reply(item, store, day=day), note)


def with_track_check(specs: dict[str, SettingSpec], store: ContentStore) -> dict[str, SettingSpec]:
    """``specs`` with ``/admin settings track VALUE`` checked against the content in use.

    The core ``track`` spec cannot know which phases exist (groups may bring their own
    content), so its parser is wrapped with one that asks the live content store, which a
    reload updates in place. The composition root applies this once.
    """
    spec = specs.get("track")
    if spec is None:
        return specs
    track_spec = spec

    def parse(text: str) -> str:
        return validate_track(store, str(track_spec.parse(text)))

    return {**specs, "track": replace(spec, parse=parse)}
