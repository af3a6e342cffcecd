"""A group's posting schedule, read from its settings rows.

Times, weekdays and the timezone are per group (one study group, one rhythm); channels
are per space, because a group may span a Discord guild and a Slack workspace. The
console space posts to ``#general`` with no setup; Discord and Slack spaces start posting
once ``/admin setup`` names a channel.

Settings keys (group scope): ``challenge.time``, ``challenge.days``, ``tip.time``,
``tip.days``, ``recap.day``, ``recap.time``, ``reminder.hours_before``,
``posting.paused``, ``catchup.hours`` and the internal ``posting.since``. Per-space keys
(scope ``space:<id>``): ``challenge.channel``, ``tip.channel``, ``recap.channel``,
``reminder.channel`` and the internal ``posting.blocked``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.models import Destination, Platform
from bot.core.settings_specs import CORE_SETTINGS
from bot.db.repositories import schedule as schedule_repo
from bot.db.repositories.outages import BLOCKED_KEY
from bot.db.repositories.schedule import SpaceRow
from bot.db.repositories.settings import GROUP_SCOPE, space_scope
from bot.db.sessions import Session
from bot.scheduling.model import CHANNEL_KINDS, PostKind
from bot.scheduling.planner import PostPlan

log = logging.getLogger(__name__)

#: The console adapter prints posts for this channel (``[#general]``).
CONSOLE_CHANNEL = "general"

#: Defaults of the group-scope posting settings (the feature's SettingSpecs reuse them).
DEFAULTS: dict[str, Any] = {
    "challenge.time": "09:00",
    "challenge.days": [0, 1, 2, 3, 4, 5, 6],
    "tip.time": "12:00",
    "tip.days": [1, 3],
    "recap.day": 6,
    "recap.time": "18:00",
    "reminder.hours_before": 4,
    "posting.paused": False,
    "catchup.hours": 6,
}
SINCE_KEY = "posting.since"
CHANNEL_KEYS: dict[PostKind, str] = {
    PostKind.CHALLENGE: "challenge.channel",
    PostKind.TIP: "tip.channel",
    PostKind.RECAP: "recap.channel",
    PostKind.REMINDER: "reminder.channel",
}
_CORE = {spec.key: spec.default for spec in CORE_SETTINGS}


@dataclass(frozen=True)
class Target:
    """One place a post goes: a channel in a space."""

    space_id: int
    platform: Platform
    external_id: str
    channel_id: str

    def destination(self) -> Destination:
        """The messenger destination of this channel."""
        return Destination(self.platform, self.external_id, channel_id=self.channel_id)


@dataclass(frozen=True)
class SpaceChannels:
    """A space of the group and the channels its posts go to (``None``: not posted)."""

    space_id: int
    platform: Platform
    external_id: str
    name: str
    channels: dict[PostKind, str | None]
    blocked: dict[str, Any] = field(default_factory=dict)

    def target(self, kind: PostKind) -> Target | None:
        """Where posts of ``kind`` go in this space, if anywhere."""
        channel = self.channels.get(kind)
        if not channel:
            return None
        return Target(self.space_id, self.platform, self.external_id, channel)


@dataclass(frozen=True)
class GroupSchedule:
    """Everything the scheduler needs to know about one group's posts."""

    group_id: int
    tz: ZoneInfo
    day_start: time
    track: str
    paused: bool
    since: datetime | None
    catchup: timedelta
    reminder_before: timedelta
    plans: dict[PostKind, PostPlan]
    spaces: tuple[SpaceChannels, ...]

    def targets(self, kind: PostKind, platforms: Iterable[Platform] | None = None) -> list[Target]:
        """The channels ``kind`` is posted to, optionally only on some platforms."""
        allowed = None if platforms is None else set(platforms)
        found = []
        for space in self.spaces:
            target = space.target(kind)
            if target is not None and (allowed is None or target.platform in allowed):
                found.append(target)
        return found

    @property
    def active(self) -> bool:
        """Whether any space has a challenge channel (posting is set up)."""
        return any(space.channels.get(PostKind.CHALLENGE) for space in self.spaces)


def _clock_time(value: Any, default: str) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (TypeError, ValueError):
        log.warning("bad stored time %r; using %s", value, default)
        return _clock_time(default, default)


def _weekdays(value: Any, default: list[int]) -> frozenset[int]:
    if isinstance(value, list) and all(isinstance(d, int) and 0 <= d <= 6 for d in value):
        return frozenset(value)
    log.warning("bad stored weekdays %r; using %s", value, default)
    return frozenset(default)


def _zone(value: Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ValueError, KeyError):
        log.warning("bad stored timezone %r; using UTC", value)
        return ZoneInfo("UTC")


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def group_value(values: dict[str, Any], key: str) -> Any:
    """A group-scope value, else the posting default, else the core setting default."""
    if key in values:
        return values[key]
    return DEFAULTS.get(key, _CORE.get(key))


def build_schedule(
    group_id: int, values: dict[str, Any], spaces: Iterable[tuple[SpaceRow, dict[str, Any]]]
) -> GroupSchedule:
    """Assemble a :class:`GroupSchedule` from stored values (defaults fill the gaps)."""
    tz = _zone(group_value(values, "timezone"))

    def plan(kind: PostKind, time_key: str, days: frozenset[int]) -> PostPlan:
        at = _clock_time(group_value(values, time_key), DEFAULTS[time_key])
        return PostPlan(kind, at, days, tz)

    recap_raw = group_value(values, "recap.day")
    # ``None`` is a stored "off"; anything else malformed falls back to the default day.
    recap_days = (
        frozenset()
        if recap_raw is None
        else frozenset({_int(recap_raw, DEFAULTS["recap.day"]) % 7})
    )
    plans = {
        PostKind.CHALLENGE: plan(
            PostKind.CHALLENGE,
            "challenge.time",
            _weekdays(group_value(values, "challenge.days"), DEFAULTS["challenge.days"]),
        ),
        PostKind.TIP: plan(
            PostKind.TIP,
            "tip.time",
            _weekdays(group_value(values, "tip.days"), DEFAULTS["tip.days"]),
        ),
        PostKind.RECAP: plan(PostKind.RECAP, "recap.time", recap_days),
    }
    since_raw = values.get(SINCE_KEY)
    since = datetime.fromisoformat(since_raw) if isinstance(since_raw, str) else None
    return GroupSchedule(
        group_id=group_id,
        tz=tz,
        day_start=_clock_time(group_value(values, "day_start"), "00:00"),
        track=str(group_value(values, "track")),
        paused=bool(group_value(values, "posting.paused")),
        since=since,
        catchup=timedelta(hours=_int(group_value(values, "catchup.hours"), 6)),
        reminder_before=timedelta(hours=_int(group_value(values, "reminder.hours_before"), 4)),
        plans=plans,
        spaces=tuple(_space_channels(space, space_values) for space, space_values in spaces),
    )


def _space_channels(space: SpaceRow, values: dict[str, Any]) -> SpaceChannels:
    platform = Platform(space.platform)
    default = CONSOLE_CHANNEL if platform is Platform.CONSOLE else None
    challenge = values.get(CHANNEL_KEYS[PostKind.CHALLENGE]) or default
    channels: dict[PostKind, str | None] = {PostKind.CHALLENGE: challenge}
    for kind in (*CHANNEL_KINDS[1:], PostKind.REMINDER):
        # Tips, recaps and reminder fall-backs go to the challenge channel unless set.
        channels[kind] = values.get(CHANNEL_KEYS[kind]) or challenge
    blocked = values.get(BLOCKED_KEY)
    return SpaceChannels(
        space.id,
        platform,
        space.external_id,
        space.name,
        channels,
        blocked if isinstance(blocked, dict) else {},
    )


async def load_schedules(
    session: Session, group_ids: Iterable[int] | None = None
) -> list[GroupSchedule]:
    """The schedules of some groups (all groups with a space when ``None``), in two queries."""
    spaces, values = await schedule_repo.schedule_rows(session, group_ids)
    by_group: dict[int, list[tuple[SpaceRow, dict[str, Any]]]] = defaultdict(list)
    for space in spaces:
        by_group[space.group_id].append((space, values[(space.group_id, space_scope(space.id))]))
    return [
        build_schedule(group_id, values[(group_id, GROUP_SCOPE)], group_spaces)
        for group_id, group_spaces in by_group.items()
    ]


async def load_schedule(session: Session, group_id: int) -> GroupSchedule | None:
    """One group's schedule, or ``None`` if the group has no space."""
    found = await load_schedules(session, [group_id])
    return found[0] if found else None
