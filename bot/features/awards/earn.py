"""Earning awards in the transaction of the change that earned them.

:func:`earn` is called by :mod:`bot.features.checkins.recording` after it wrote a batch
of member figures (check-ins, moderator repairs, amnesties): it asks the pure rules
(:func:`bot.recognition.crossed`) which milestones each change crossed and stores them
``ON CONFLICT DO NOTHING`` on (member, milestone). Earning is therefore atomic with the
check-in (both or neither) and idempotent (a retried batch, a replay, a second instance
earns nothing twice). Linked Discord and Slack accounts are one member, so the group
earns each milestone once per person.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from bot.db.repositories import awards as awards_repo
from bot.db.repositories.awards import NewAward, RewardSettings
from bot.db.repositories.checkins import Executor
from bot.db.repositories.stats_row import StatsRow
from bot.recognition import Figures, Milestone, crossed, milestone


@dataclass(frozen=True)
class Cause:
    """Why figures changed, recorded on the awards that change earns.

    Attributes:
        source: ``checkin``, ``repair``, ``amnesty``, ``outage``, ``progress`` or ``import``.
        note: What the award row says about it (``set to 7 by Mo: lost in the outage``).
        space_id: Where to celebrate (the moderator's space); ``None``: where each member
            acted from (their identity on ``platforms``' platform).
        platforms: For check-ins, the platform each member checked in from.
        silent: Never announce these awards (imports of old history).
    """

    source: str
    note: str | None = None
    space_id: int | None = None
    platforms: Mapping[int, str] | None = None
    silent: bool = False


def figures(row: StatsRow | None) -> Figures:
    """The figures milestones are measured on, from a stats row (zeros for none)."""
    if row is None:
        return _figures(0, 0)
    return _figures(row.state.run, row.state.total)


# Both caches are of pure functions on immutable values: a batch of check-ins asks about the
# same few (before, after) pairs over and over (most members move from n to n + 1).
@functools.lru_cache(maxsize=4096)
def _figures(run: int, total: int) -> Figures:
    return Figures(run=run, total=total)


@functools.lru_cache(maxsize=4096)
def _crossed(before: Figures, after: Figures, off: frozenset[str]) -> tuple[Milestone, ...]:
    return tuple(crossed(before, after, disabled=off))


async def earn(
    db: Executor,
    changes: Iterable[tuple[StatsRow | None, StatsRow]],
    cause: Cause,
    now: datetime,
) -> dict[int, list[Milestone]]:
    """Store the milestones the ``(before, after)`` changes crossed; the new ones by member."""
    crossings: dict[int, tuple[StatsRow, tuple[Milestone, ...]]] = {}
    settings: dict[int, RewardSettings] = {}
    for before, after in changes:
        group = after.group_id
        if group not in settings:
            settings[group] = await awards_repo.reward_settings(db, group)
        found = _crossed(figures(before), figures(after), settings[group].off)
        if found:
            crossings[after.member_id] = (after, found)
    if not crossings:
        return {}
    homes: dict[int, int] = {}
    if cause.space_id is None:
        platforms = cause.platforms or {}
        homes = await awards_repo.home_spaces(
            db, {member: platforms.get(member, "") for member in crossings}
        )
    new: list[NewAward] = []
    for member_id, (after, found) in crossings.items():
        group_settings = settings[after.group_id]
        day = after.state.run_end or after.last_day or now.date()
        for item in found:
            new.append(
                NewAward(
                    group_id=after.group_id,
                    member_id=member_id,
                    milestone=item.id,
                    value=item.threshold,
                    earned_on=day,
                    earned_at=now,
                    source=cause.source,
                    note=cause.note,
                    space_id=cause.space_id or homes.get(member_id),
                    announce=_announce(cause, group_settings, after),
                )
            )
    return await store(db, new)


def _announce(cause: Cause, settings: RewardSettings, after: StatsRow) -> str:
    """How an award is announced (the group's mode, with one exception).

    A member hidden from the boards is never named in the channel: they are told privately.
    """
    if cause.silent:
        return "silent"
    if settings.announce == "channel" and after.hidden:
        return "member"
    return settings.announce


async def store(db: Executor, new: Iterable[NewAward]) -> dict[int, list[Milestone]]:
    """Insert awards not held yet; the milestones actually earned now, by member."""
    wanted = list(new)
    if not wanted:
        return {}
    rules: dict[int, set[str]] = {}
    for group in {a.group_id for a in wanted}:
        rules[group] = {rule.milestone for rule in await awards_repo.role_rules(db, group)}
    # A Discord role reward still to grant (bot/features/recognition/roles.py).
    wanted = [
        replace(a, roles="pending") if a.milestone in rules[a.group_id] else a for a in wanted
    ]
    # ON CONFLICT DO NOTHING: a badge held (or stored meanwhile by a concurrent writer)
    # is not earned again; only the rows this transaction inserted count.
    earned: dict[int, list[Milestone]] = defaultdict(list)
    for award in await awards_repo.insert_new(db, wanted):
        item = milestone(award.milestone)
        if item is not None:
            earned[award.member_id].append(item)
    return dict(earned)
