"""Moving spaces between groups: joining two groups into one, and a space leaving again.

:func:`absorb_group` moves everything of one group into another (spaces, members and
their history, per-space settings, the audit log) and deletes the emptied group; the
caller decides beforehand which group-wide settings survive. :func:`create_group`,
:func:`copy_group_settings`, :func:`copy_rotation`, :func:`copy_group_excused`,
:func:`move_space_settings` and :func:`move_members` are the pieces a space leaving a group
is built from.

Group-wide excused days (an amnesty a group granted) are per group; when a group is
absorbed they become member-specific rows of the members it had, so nobody's streak
depends on which group granted the day.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, Table, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.refs import GroupRef
from bot.db.models import (
    AuditEntry,
    BoardCount,
    BoardState,
    CheckIn,
    CheckinCount,
    ExcusedDay,
    Group,
    Identity,
    LinkCode,
    Member,
    MemberStats,
    RotationEntry,
    Setting,
    Space,
)
from bot.db.models_recognition import Award, RewardRole
from bot.db.refs import group_ref
from bot.db.repositories.settings import GROUP_SCOPE

_SETTINGS = cast(Table, Setting.__table__)


async def absorb_group(session: AsyncSession, *, source: int, target: int) -> dict[str, int]:
    """Move every space and member of group ``source`` into ``target``; delete ``source``.

    Moved: spaces, members, check-ins, member statistics and period counts, excused days
    (group-wide ones become member rows), settings other than group-scope ones, the audit
    log. Dropped: ``source``'s group-scope settings (``target``'s apply now; merge any
    value to keep first), its rotation (``target``'s decides the daily items), its score
    counts and board day (the caller rebuilds ``target``'s) and its pending codes. The
    post ledger is per space and stays as it is.

    Returns:
        Counts of what moved, for the audit entry.
    """
    if source == target:
        raise ValueError("a group cannot absorb itself")
    counts: dict[str, int] = {}
    # Before members move: one member-specific copy of each group-wide excused day.
    group_days = (
        select(
            literal(target),
            Member.id,
            ExcusedDay.day,
            ExcusedDay.reason,
            ExcusedDay.created_at,
        )
        .select_from(ExcusedDay)
        .join(Member, Member.group_id == ExcusedDay.group_id)
        .where(ExcusedDay.group_id == source, ExcusedDay.member_id.is_(None))
    )
    await session.execute(
        insert(ExcusedDay).from_select(
            ["group_id", "member_id", "day", "reason", "created_at"], group_days
        )
    )
    await session.execute(
        delete(ExcusedDay)
        .where(ExcusedDay.group_id == source, ExcusedDay.member_id.is_(None))
        .execution_options(synchronize_session=False)
    )
    for model, label in (
        (ExcusedDay, "excused_days"),
        (CheckIn, "checkins"),
        (MemberStats, "member_stats"),
        (CheckinCount, "checkin_counts"),
        (Member, "members"),
        (Space, "spaces"),
        (AuditEntry, "audit_entries"),
        (Award, "awards"),
        (RewardRole, "reward_roles"),
    ):
        counts[label] = await _regroup(session, model, source, target)
    counts["settings"] = await _move_scoped_settings(session, source, target)
    # The target's rotation decides the daily items; its score counts are rebuilt.
    for statement in (
        delete(RotationEntry).where(RotationEntry.group_id == source),
        delete(BoardCount).where(BoardCount.group_id == source),
        delete(BoardState).where(BoardState.group_id == source),
        delete(LinkCode).where(LinkCode.group_id == source),
    ):
        await session.execute(statement.execution_options(synchronize_session=False))
    await session.execute(delete(_SETTINGS).where(_SETTINGS.c.group_id == source))
    await session.execute(delete(Group).where(Group.id == source))
    return counts


async def _regroup(session: AsyncSession, model: type, source: int, target: int) -> int:
    column = model.group_id  # type: ignore[attr-defined]
    # "evaluate" keeps loaded objects (the invocation's space and member) in step without
    # first selecting every matching row, as "fetch" would for 100,000 check-ins.
    statement = (
        update(model)
        .where(column == source)
        .values(group_id=target)
        .execution_options(synchronize_session="evaluate")
    )
    result = cast(CursorResult[tuple[()]], await session.execute(statement))
    return result.rowcount


async def _move_scoped_settings(session: AsyncSession, source: int, target: int) -> int:
    """Move non-group scopes (per space) unless ``target`` has the same key already."""
    taken = select(_SETTINGS.c.scope, _SETTINGS.c.key).where(_SETTINGS.c.group_id == target)
    existing = {(row.scope, row.key) for row in (await session.execute(taken)).all()}
    rows = (
        await session.execute(
            select(_SETTINGS.c.scope, _SETTINGS.c.key).where(
                _SETTINGS.c.group_id == source, _SETTINGS.c.scope != GROUP_SCOPE
            )
        )
    ).all()
    moved = 0
    for row in rows:
        if (row.scope, row.key) in existing:
            continue
        # Core statements: the primary key changes, which the ORM identity map can't follow.
        await session.execute(
            update(_SETTINGS)
            .where(
                _SETTINGS.c.group_id == source,
                _SETTINGS.c.scope == row.scope,
                _SETTINGS.c.key == row.key,
            )
            .values(group_id=target)
        )
        moved += 1
    return moved


async def create_group(session: AsyncSession, name: str, now: datetime) -> GroupRef:
    """A new, empty group."""
    group = Group(name=name[:200], created_at=now)
    session.add(group)
    await session.flush()
    return group_ref(group)


async def copy_group_settings(
    session: AsyncSession, *, source: int, target: int, now: datetime
) -> int:
    """Copy ``source``'s group-scope settings to ``target`` (which has none yet)."""
    rows = select(
        literal(target), _SETTINGS.c.scope, _SETTINGS.c.key, _SETTINGS.c.value, literal(now)
    ).where(_SETTINGS.c.group_id == source, _SETTINGS.c.scope == GROUP_SCOPE)
    result = await session.execute(
        insert(_SETTINGS).from_select(["group_id", "scope", "key", "value", "updated_at"], rows)
    )
    return cast(CursorResult[tuple[()]], result).rowcount


async def move_space_settings(
    session: AsyncSession, *, scope: str, source: int, target: int
) -> None:
    """Move one per-space scope of settings from ``source`` to ``target``."""
    await session.execute(
        update(_SETTINGS)
        .where(_SETTINGS.c.group_id == source, _SETTINGS.c.scope == scope)
        .values(group_id=target)
    )


async def copy_rotation(session: AsyncSession, *, source: int, target: int, now: datetime) -> None:
    """Copy the rotation history, so today's item and the no-repeat memory carry over."""
    rows = select(
        literal(target),
        RotationEntry.kind,
        RotationEntry.local_date,
        RotationEntry.item_id,
        RotationEntry.cycle,
        literal(now),
    ).where(RotationEntry.group_id == source)
    await session.execute(
        insert(RotationEntry).from_select(
            ["group_id", "kind", "local_date", "item_id", "cycle", "created_at"], rows
        )
    )


async def copy_group_excused(session: AsyncSession, *, source: int, target: int) -> None:
    """Copy ``source``'s group-wide excused days to ``target``."""
    rows = select(
        literal(target),
        literal(None),
        ExcusedDay.day,
        ExcusedDay.reason,
        ExcusedDay.created_at,
    ).where(ExcusedDay.group_id == source, ExcusedDay.member_id.is_(None))
    await session.execute(
        insert(ExcusedDay).from_select(
            ["group_id", "member_id", "day", "reason", "created_at"], rows
        )
    )


async def identity_spaces(session: AsyncSession, space_id: int) -> dict[int, set[int]]:
    """For each member with an identity in ``space_id``: every space they have one in."""
    here = select(Identity.member_id).where(Identity.space_id == space_id)
    query = select(Identity.member_id, Identity.space_id).where(Identity.member_id.in_(here))
    found: dict[int, set[int]] = {}
    for member_id, space in (await session.execute(query)).all():
        found.setdefault(member_id, set()).add(space)
    return found


async def move_members(
    session: AsyncSession, member_ids: list[int], target: int, now: datetime
) -> None:
    """Move members and their history to group ``target``; end their live codes."""
    # Chunks keep each statement under every database's bound-parameter limit.
    for first in range(0, len(member_ids), 500):
        chunk = member_ids[first : first + 500]
        for statement in (
            update(Member).where(Member.id.in_(chunk)),
            update(CheckIn).where(CheckIn.member_id.in_(chunk)),
            update(MemberStats).where(MemberStats.member_id.in_(chunk)),
            update(CheckinCount).where(CheckinCount.member_id.in_(chunk)),
            update(ExcusedDay).where(ExcusedDay.member_id.in_(chunk)),
            update(Award).where(Award.member_id.in_(chunk)),
        ):
            await session.execute(
                statement.values(group_id=target).execution_options(synchronize_session="evaluate")
            )
        await session.execute(
            update(LinkCode)
            .where(
                LinkCode.member_id.in_(chunk),
                LinkCode.used_at.is_(None),
                LinkCode.expires_at > now,
            )
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )


async def copy_board_state(
    session: AsyncSession, *, source: int, target: int, now: datetime
) -> None:
    """Give ``target`` the board day of ``source`` (same settings, same local day)."""
    rows = select(literal(target), BoardState.day, literal(now)).where(
        BoardState.group_id == source
    )
    await session.execute(insert(BoardState).from_select(["group_id", "day", "updated_at"], rows))


async def move_space(session: AsyncSession, space_id: int, target: int) -> None:
    """Attach space ``space_id`` to group ``target``."""
    space = await session.get_one(Space, space_id)
    space.group_id = target
    await session.flush()
