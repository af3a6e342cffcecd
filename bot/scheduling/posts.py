"""What a channel post says: today's challenge, the tip, or the weekly recap.

Challenges and tips come from the group's rotation (``bot.content.rotation``), so the post
shows the same item as ``/challenge`` and ``/tip`` that day, and a post re-sent after a
takeover shows the same item as the first attempt would have.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.cards.recap import alt_text as recap_alt_text
from bot.cards.recap import render_recap
from bot.cards.service import render_image
from bot.content.render import challenge_reply, tip_reply
from bot.content.rotation import challenge_for, tip_for
from bot.content.store import ContentStore
from bot.content.tracks import effective_track
from bot.core.models import Platform, Reply
from bot.db.repositories import settings as settings_repo
from bot.db.repositories.rotation import RotationRepository
from bot.db.sessions import Session
from bot.scheduling.config import GroupSchedule
from bot.scheduling.model import PostKey, PostKind
from bot.scheduling.recap import recap_card, recap_figures, recap_reply

CONSOLE_DONE_HINT = "Type /done to check in."


@dataclass(frozen=True)
class PostContent:
    """A post ready to send, and the content item it shows (for the ledger)."""

    reply: Reply
    content_id: str | None


def _with_line(reply: Reply, line: str) -> Reply:
    footer = f"{reply.footer}\n{line}" if reply.footer else line
    return replace(reply, footer=footer)


async def channel_post(
    session: Session,
    store: ContentStore,
    schedule: GroupSchedule,
    key: PostKey,
    *,
    day: date,
    platform: Platform,
    now: datetime,
) -> PostContent:
    """Build the post for ``key`` (``day`` is the group's local date it belongs to).

    Raises:
        NothingToDraw: The content has no challenge or tip to post.
    """
    track, _note = effective_track(store, schedule.track)
    if key.kind is PostKind.CHALLENGE:
        challenge = await challenge_for(
            RotationRepository(session), store, schedule.group_id, day, track, now=now
        )
        reply = challenge_reply(challenge, store, day=day, with_done_button=True)
        if platform is Platform.CONSOLE:
            # The console shows buttons as [Done]; typing is how a terminal user checks in.
            reply = _with_line(reply, CONSOLE_DONE_HINT)
        content = PostContent(reply, challenge.id)
    elif key.kind is PostKind.TIP:
        tip = await tip_for(
            RotationRepository(session), store, schedule.group_id, day, track, now=now
        )
        content = PostContent(tip_reply(tip, store, day=day), tip.id)
    elif key.kind is PostKind.RECAP:
        figures = await recap_figures(session, schedule.group_id, day)
        reply = recap_reply(figures, {step.id: step.title for step in store.steps})
        if (await settings_repo.load(session, schedule.group_id)).get("cards", True):
            card = recap_card(figures)
            image = await render_image(render_recap, recap_alt_text, card, "weekly-recap.png")
            reply = replace(reply, image=image)
        content = PostContent(reply, f"week-{figures.week_start.isoformat()}")
    else:
        raise ValueError(f"{key.kind} is not a channel post")
    metadata = {"post": key.idempotency_key, "kind": key.kind.value, "day": day.isoformat()}
    return PostContent(replace(content.reply, metadata=metadata), content.content_id)
