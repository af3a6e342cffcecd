"""``/settings``: a member's own timezone, leaderboard privacy and reminders.

``/settings timezone:Europe/Berlin`` (IANA names, any case, with suggestions on a typo;
``group`` goes back to the group's timezone), ``/settings leaderboard:hide|show`` (hidden
members are never ranked; their check-ins still count in group totals) and
``/settings reminders:on|off`` (read by the scheduler's streak reminders). Without options
it shows the current values. Always answered privately.
"""

from __future__ import annotations

import zoneinfo

from bot.core.commands import Param, ParamKind
from bot.core.context import CommandContext
from bot.core.errors import UserError
from bot.core.models import Reply
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import members
from bot.features.checkins.checkin_service import checkins_of
from bot.features.checkins.router import router
from bot.features.checkins.service import member_day
from bot.streaks import UnknownTimezone, format_duration, parse_timezone

_GROUP_ZONE = {"group", "default", "none", "reset"}


@router.completer("timezones")
async def complete_timezones(ctx: CommandContext, prefix: str) -> list[str]:
    """IANA names whose full name or city starts with (or contains) what was typed."""
    typed = "_".join(prefix.strip().lower().split())
    names = sorted(zoneinfo.available_timezones())
    if not typed:
        return ["group", *(n for n in names if n.startswith(("Europe/", "America/")))][:25]
    starts = [n for n in names if n.lower().startswith(typed) or _city(n).startswith(typed)]
    contains = [n for n in names if typed in n.lower() and n not in starts]
    return (starts + contains)[:25]


def _city(name: str) -> str:
    return name.rsplit("/", 1)[-1].lower()


@router.completer("members")
async def complete_members(ctx: CommandContext, prefix: str) -> list[str]:
    """Display names of the group's members starting with what was typed."""
    typed = prefix.strip().lstrip("@")
    return await checkins_repo.member_names(ctx.session, ctx.group.id, ctx.space.id, typed)


@router.command(
    "settings",
    "Your timezone, leaderboard privacy and reminders.",
    params=(
        Param(
            "leaderboard",
            ParamKind.CHOICE,
            "show or hide you on leaderboards",
            choices=("show", "hide"),
        ),
        Param(
            "reminders",
            ParamKind.CHOICE,
            "on: a reminder when your streak is at risk",
            choices=("on", "off"),
        ),
        Param(
            "timezone",
            ParamKind.STRING,
            "Your timezone (IANA name like Europe/Berlin), or group for the group's.",
            autocomplete="timezones",
        ),
    ),
    ephemeral=True,
    examples=("", "timezone:Europe/Berlin", "leaderboard:hide", "reminders:on"),
)
async def settings(
    ctx: CommandContext,
    leaderboard: str | None = None,
    reminders: str | None = None,
    timezone: str | None = None,
) -> Reply:
    """Show or change the caller's own settings."""
    member = ctx.member
    changes: list[str] = []
    if timezone is not None:
        zone_name, said = _parse_timezone(timezone)
        member = await members.update(ctx.session, member.id, timezone=zone_name)
        changes.append(said)
    if leaderboard is not None:
        hidden = leaderboard == "hide"
        if hidden != member.hidden:
            member = await members.update(ctx.session, member.id, hidden=hidden)
            await checkins_of(ctx.services).set_hidden(ctx.session, member.id, hidden, ctx.now)
        changes.append(
            "You are hidden from leaderboards (your check-ins still count)."
            if hidden
            else "You are shown on leaderboards."
        )
    if reminders is not None:
        member = await members.update(ctx.session, member.id, reminders=reminders == "on")
        changes.append(
            "Reminders are on: I'll nudge you when your streak is at risk."
            if member.reminders
            else "Reminders are off."
        )
    ctx.member = member
    where = await member_day(ctx)
    summary = (
        f"Timezone: **{where.tz_name}**{'' if member.timezone else ' (the group’s)'} · "
        f"Leaderboards: **{'hidden' if member.hidden else 'shown'}** · "
        f"Reminders: **{'on' if member.reminders else 'off'}**\n"
        f"Your day ends in {format_duration(where.time_left())}."
    )
    text = "\n".join([*changes, "", summary]) if changes else summary
    return Reply(
        title=None if changes else "Your settings",
        text=text,
        footer=_change_hint(member.timezone, member.hidden, member.reminders),
    )


def _change_hint(timezone: str | None, hidden: bool, reminders: bool) -> str:
    """How to change each setting, suggesting the value not already set."""
    zone = "timezone:group" if timezone else "timezone:Europe/Berlin"
    board = "leaderboard:show" if hidden else "leaderboard:hide"
    nudges = "reminders:off" if reminders else "reminders:on"
    return f"Change: `/settings {zone}`, `{board}`, `{nudges}`."


def _parse_timezone(typed: str) -> tuple[str | None, str]:
    """The zone to store for what the member typed (``None``: the group's) and what to say."""
    if typed.strip().lower() in _GROUP_ZONE:
        return None, "Your check-ins now follow the group's timezone."
    try:
        name = parse_timezone(typed).key
    except UnknownTimezone as exc:
        raise UserError(exc.user_message()) from None
    return name, f"Your timezone is now **{name}**: your days start and end there."
