"""``/done [note] [link]`` and the **Done** button: check in for your local day.

The day is the member's local date (their timezone, else the group's, with the group's
day start). A second check-in on the same day is answered kindly and counted once (the
``checkins`` table has one row per member and date). ``/done yesterday …`` back-fills
yesterday when the group allows it (``streak.backfill yesterday``). ``/done challenge
[ID]`` (and the **Done** button under a challenge) also records that the member did the
challenge (today's group challenge without an id), which counts toward its roadmap step.

A counted check-in is answered in the channel (a small celebration others see); "already
counted" and every error are answered privately.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.content.render.text import day_label
from bot.core.args import tokenize
from bot.core.commands import Param, ParamKind
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.db.repositories.checkins import NewCheckin
from bot.features.checkins.recording import CheckinRequest, CheckinResult, Status
from bot.features.checkins.router import router
from bot.features.checkins.service import MemberDay, member_day, record_checkin
from bot.features.daily import todays_challenge_id
from bot.streaks import format_duration

NOTE_MAX = 1000
LINK_MAX = 500
_URL = re.compile(r"<?(https?://[^\s>]+)>?")


def _split_link(text: str) -> tuple[str | None, str | None]:
    """``(note, link)`` from free text: the first http(s) link is the link."""
    match = _URL.search(text)
    if match is None:
        return (text.strip() or None), None
    link = match.group(1).rstrip(".,;:!?)")
    note = " ".join((text[: match.start()] + " " + text[match.end() :]).split())
    return note or None, link


def _arguments(
    ctx: CommandContext, day: str | None, link: str | None, note: str | None
) -> tuple[bool, str | None, str | None]:
    """``(yesterday, note, link)``, undoing a day picked from a note's first word.

    The shared parser lets a unique prefix pick a choice, so a note starting with "yes"
    would otherwise mean "yesterday"; only the full word (or ``day:``) counts here.
    """
    text = ctx.invocation.text
    if text is not None and day is not None:
        first = tokenize(text)[0].value.lower() if text.strip() else ""
        if first not in ("today", "yesterday") and not first.startswith("day:"):
            day, link, note = None, None, text.strip()
    if link is None and note:
        note, link = _split_link(note)
    if note is not None and len(note) > NOTE_MAX:
        raise UserError(f"Your note has {len(note)} characters; please keep it under {NOTE_MAX}.")
    if link is not None and len(link) > LINK_MAX:
        raise UserError(f"That link is longer than {LINK_MAX} characters; please shorten it.")
    return day == "yesterday", note, link


@router.command(
    "done",
    "Check in for today: once a day counts toward your streak.",
    params=(
        Param(
            "day",
            ParamKind.CHOICE,
            "today (the default), or yesterday if this group allows back-fill",
            choices=("today", "yesterday"),
        ),
        Param("link", ParamKind.URL, "A link to what you did (a commit, PR, post)."),
        Param("note", ParamKind.TEXT, "What you did, in a few words."),
    ),
    examples=("", "built the login endpoint", "fixed the N+1 https://github.com/me/api/pull/7"),
)
async def done(
    ctx: CommandContext, day: str | None = None, link: str | None = None, note: str | None = None
) -> Reply:
    """Check the caller in for their local day (or yesterday, when back-fill is on)."""
    yesterday, note, link = _arguments(ctx, day, link, note)
    words = (note or "").split()
    if words and words[0].lower() == "challenge":
        from bot.features.progress.challenges import resolve_done_challenge

        challenge_id, note = await resolve_done_challenge(ctx, words[1:])
        return await check_in(
            ctx, note=note, link=link, yesterday=yesterday, challenge_id=challenge_id, did=True
        )
    return await check_in(ctx, note=note, link=link, yesterday=yesterday)


@router.action("checkin.done")
async def done_button(ctx: CommandContext, value: str) -> Reply:
    """The **Done** button under a challenge post: the same as ``/done`` (answered privately)."""
    challenge = ctx.services.content.challenge(value) if value else None
    return await check_in(
        ctx, challenge_id=challenge.id if challenge else None, did=challenge is not None
    )


async def check_in(
    ctx: CommandContext,
    *,
    note: str | None = None,
    link: str | None = None,
    yesterday: bool = False,
    challenge_id: str | None = None,
    did: bool = False,
) -> Reply:
    """Record a check-in for the caller and answer it.

    With ``did`` (the challenge's **Done** button, ``/done challenge``) the challenge is
    also recorded as done by the member, even when the day was already counted.
    """
    where = await member_day(ctx)
    target = where.today - timedelta(days=1) if yesterday else where.today
    if yesterday and not where.policy.allows_checkin_for(target, where.today):
        raise UserError(
            "This group counts check-ins on the day itself only, so yesterday can't be "
            "added. A moderator can allow it with `/admin settings streak.backfill yesterday`."
        )
    if challenge_id is None and not yesterday:
        challenge_id = await todays_challenge_id(ctx)
    checkin = NewCheckin(
        member_id=ctx.member.id,
        group_id=ctx.group.id,
        local_date=target,
        checked_at=ctx.now,
        timezone=where.tz_name,
        platform=ctx.invocation.platform.value,
        challenge_id=challenge_id,
        note=note,
        link=link,
    )
    result = await record_checkin(ctx, CheckinRequest(checkin, where.policy, backfill=yesterday))
    reply = answer(ctx.member.display_name, result, where)
    if did and challenge_id is not None:
        from bot.features.progress.challenges import record_done_challenge

        reply = await record_done_challenge(ctx, reply, challenge_id, target)
    return reply


def days(count: int) -> str:
    """``1 day``, ``3 days``."""
    return f"{count} day" if count == 1 else f"{count} days"


def answer(name: str, result: CheckinResult, where: MemberDay) -> Reply:
    """The reply to a check-in, from what the writer recorded."""
    state = result.after.state
    ends = f"Your day ends in {format_duration(where.time_left())} ({where.tz_name})."
    if result.status is Status.ALREADY:
        when = "today" if result.day == where.today else f"for {day_label(result.day)}"
        text = f"Already counted {when} — thanks! Your streak is **{days(state.run)}**.\n{ends}"
        return Reply(text=text, ephemeral=True)
    if result.status is Status.COVERED:
        text = (
            f"Today is already covered: your streak runs to {day_label(state.run_end)} "
            f"(a check-in from another timezone). Your streak is **{days(state.run)}**.\n{ends}"
            if state.run_end is not None
            else f"Today is already covered.\n{ends}"
        )
        return Reply(text=text, ephemeral=True)
    lines = [
        f"**{name}** checked in for {day_label(result.day)}: streak **{days(state.run)}** "
        f"(longest {days(state.longest)})."
    ]
    spent = result.freezes_spent
    if spent:
        lines.append(
            "A freeze covered the day you missed."
            if spent == 1
            else f"{spent} freezes covered the {spent} days you missed."
        )
    if result.freeze_earned:
        lines.append("You earned a streak freeze.")
    if spent or result.freeze_earned:
        lines.append(f"Freezes held: {state.freezes}.")
    lines.append(ends)
    return Reply(text="\n".join(lines))
