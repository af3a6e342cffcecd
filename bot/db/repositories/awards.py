"""Awards (earned milestones) and role rewards: all the SQL of recognition.

Every write takes an :data:`~bot.db.repositories.checkins.Executor` (a session or the
check-in writer's connection), so awards are earned in the same transaction as the
check-in or repair that earned them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update

from bot.db.models import Identity, Setting, Space
from bot.db.models_recognition import Award, RewardRole
from bot.db.repositories.checkins import Executor, upsert
from bot.db.repositories.settings import GROUP_SCOPE

_AWARDS: Table = Award.__table__  # type: ignore[assignment]
_ROLES: Table = RewardRole.__table__  # type: ignore[assignment]
_SETTINGS: Table = Setting.__table__  # type: ignore[assignment]

#: The group settings recognition reads (see bot/features/recognition/settings.py).
OFF_KEY = "rewards.off"
ANNOUNCE_KEY = "rewards.announce"
ROLES_KEY = "rewards.roles"


@dataclass(frozen=True)
class RewardSettings:
    """A group's recognition settings.

    Attributes:
        off: Milestone ids switched off (not earned while off).
        announce: ``channel``, ``member`` (a direct message) or ``silent``.
        roles: ``stack`` (keep lower roles) or ``replace`` (a higher milestone of the
            same kind removes the lower one's role).
    """

    off: frozenset[str] = frozenset()
    announce: str = "channel"
    roles: str = "stack"


# Built once: the check-in writer reads this for every batch, and building the statement
# cost more than running it.
_REWARD_SETTINGS = select(_SETTINGS.c.key, _SETTINGS.c.value).where(
    _SETTINGS.c.group_id == bindparam("group_id"),
    _SETTINGS.c.scope == GROUP_SCOPE,
    _SETTINGS.c.key.in_((OFF_KEY, ANNOUNCE_KEY, ROLES_KEY)),
)


async def reward_settings(db: Executor, group_id: int) -> RewardSettings:
    """The group's recognition settings, defaults for those never set."""
    found = await db.execute(_REWARD_SETTINGS, {"group_id": group_id})
    values = {row.key: row.value for row in found}
    off = values.get(OFF_KEY) or []
    return RewardSettings(
        off=frozenset(str(v) for v in off) if isinstance(off, list) else frozenset(),
        announce=str(values.get(ANNOUNCE_KEY) or "channel"),
        roles=str(values.get(ROLES_KEY) or "stack"),
    )


@dataclass(frozen=True)
class NewAward:
    """An award to store (the columns of an ``awards`` row without its id)."""

    group_id: int
    member_id: int
    milestone: str
    value: int
    earned_on: date
    earned_at: datetime
    source: str
    note: str | None
    space_id: int | None
    announce: str
    roles: str | None = None

    def values(self) -> dict[str, Any]:
        """The row's column values."""
        return {
            "group_id": self.group_id,
            "member_id": self.member_id,
            "milestone": self.milestone,
            "value": self.value,
            "earned_on": self.earned_on,
            "earned_at": self.earned_at,
            "source": self.source,
            "note": self.note,
            "space_id": self.space_id,
            "announce": self.announce,
            "state": "silent" if self.announce == "silent" else "pending",
            "roles": self.roles,
        }


async def insert_new(db: Executor, awards: Sequence[NewAward]) -> list[NewAward]:
    """Store the awards not held yet; returns those stored (the new ones only)."""
    stored: list[NewAward] = []
    # Key order, so two writers earning the same keys never wait on each other in a cycle.
    for award in sorted(awards, key=lambda a: (a.member_id, a.milestone)):
        statement = (
            upsert(db, _AWARDS)
            .values(**award.values())
            .on_conflict_do_nothing(index_elements=["member_id", "milestone"])
            .returning(_AWARDS.c.id)
        )
        row_id = (await db.execute(statement)).scalar_one_or_none()
        if row_id is not None:
            stored.append(award)
    return stored


async def held(db: Executor, member_id: int) -> list[Award]:
    """The member's awards, oldest first."""
    query = select(Award).where(Award.member_id == member_id).order_by(Award.earned_at, Award.id)
    return list((await db.execute(query)).scalars())


async def held_ids(db: Executor, member_ids: Iterable[int]) -> dict[int, set[str]]:
    """Milestone ids held by each of the members."""
    wanted = sorted(set(member_ids))
    found: dict[int, set[str]] = {m: set() for m in wanted}
    if not wanted:
        return found
    query = select(_AWARDS.c.member_id, _AWARDS.c.milestone).where(_AWARDS.c.member_id.in_(wanted))
    for row in await db.execute(query):
        found[row.member_id].add(row.milestone)
    return found


async def earned_counts(db: Executor, group_id: int) -> dict[str, int]:
    """How many awards of each milestone the group's members hold (``{milestone: count}``)."""
    query = (
        select(Award.milestone, func.count())
        .where(Award.group_id == group_id)
        .group_by(Award.milestone)
    )
    return {milestone: count for milestone, count in await db.execute(query)}


async def home_spaces(db: Executor, member_platforms: dict[int, str]) -> dict[int, int]:
    """The space each member acted from: their identity's space on that platform."""
    if not member_platforms:
        return {}
    query = (
        select(Identity.member_id, Identity.space_id, Space.platform)
        .join(Space, Space.id == Identity.space_id)
        .where(Identity.member_id.in_(list(member_platforms)))
        .order_by(Identity.space_id)
    )
    matching: dict[int, int] = {}
    other: dict[int, int] = {}
    for row in await db.execute(query):
        into = matching if row.platform == member_platforms[row.member_id] else other
        into.setdefault(row.member_id, row.space_id)
    return {**other, **matching}


async def move_member(db: Executor, absorbed: int, survivor: int) -> None:
    """Merging two accounts: the survivor keeps the earlier of each award held twice."""
    mine = {a.milestone: a for a in await held(db, survivor)}
    theirs = await held(db, absorbed)
    drop: list[int] = []
    for award in theirs:
        kept = mine.get(award.milestone)
        if kept is None:
            continue
        drop.append(kept.id if award.earned_at < kept.earned_at else award.id)
    if drop:
        await db.execute(delete(_AWARDS).where(_AWARDS.c.id.in_(drop)))
    await db.execute(
        update(_AWARDS).where(_AWARDS.c.member_id == absorbed).values(member_id=survivor)
    )


# --- role rewards -----------------------------------------------------------------


@dataclass(frozen=True)
class RoleRule:
    """One ``reward_roles`` row (read with Core, so the check-in writer's connection can)."""

    id: int
    group_id: int
    space_id: int
    milestone: str
    role_id: str
    error: str | None
    error_at: datetime | None


async def role_rules(db: Executor, group_id: int) -> list[RoleRule]:
    """The group's role rewards, by space and milestone."""
    # Core columns, not the ORM entity: on a plain connection (the check-in writer's)
    # ``select(RewardRole)`` would yield ids, not objects.
    query = (
        select(
            _ROLES.c.id,
            _ROLES.c.group_id,
            _ROLES.c.space_id,
            _ROLES.c.milestone,
            _ROLES.c.role_id,
            _ROLES.c.error,
            _ROLES.c.error_at,
        )
        .where(_ROLES.c.group_id == group_id)
        .order_by(_ROLES.c.space_id, _ROLES.c.milestone)
    )
    return [RoleRule(*row) for row in await db.execute(query)]


async def add_role_rule(
    db: Executor, group_id: int, space_id: int, milestone: str, role_id: str, now: datetime
) -> bool:
    """Store a role reward; ``False`` when the space already has one for the milestone."""
    statement = (
        upsert(db, _ROLES)
        .values(
            group_id=group_id,
            space_id=space_id,
            milestone=milestone,
            role_id=role_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["space_id", "milestone"])
        .returning(_ROLES.c.id)
    )
    return (await db.execute(statement)).scalar_one_or_none() is not None


async def remove_role_rule(db: Executor, space_id: int, milestone: str) -> bool:
    """Remove a space's role reward for a milestone; ``False`` if there was none."""
    statement = delete(_ROLES).where(_ROLES.c.space_id == space_id, _ROLES.c.milestone == milestone)
    result: Any = await db.execute(statement)
    return bool(result.rowcount)


async def record_role_error(db: Executor, rule_id: int, error: str | None, now: datetime) -> None:
    """Keep (or clear, with ``None``) the last refusal of a role reward."""
    await db.execute(
        update(_ROLES)
        .where(_ROLES.c.id == rule_id)
        .values(error=error[:2000] if error else None, error_at=now if error else None)
    )
