"""The rows a posting schedule is built from: spaces and their settings.

:mod:`bot.scheduling.config` turns these into a ``GroupSchedule``; the scheduler looks up
the spaces of the posts it takes over or is asked to make. Rows come back as frozen
:class:`SpaceRow` values, so nothing outside ``bot/db`` holds an ORM object of a session
that is already closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Setting, Space

#: Stored settings by ``(group_id, scope)``, then key.
SettingValues = dict[tuple[int, str], dict[str, Any]]


@dataclass(frozen=True)
class SpaceRow:
    """A space as the scheduler needs it (a Discord guild, Slack workspace or the console).

    Attributes:
        id: The ``spaces`` row.
        group_id: The study group it belongs to.
        platform: ``"discord"``, ``"slack"`` or ``"console"``.
        external_id: The guild or workspace id.
        name: Its display name.
    """

    id: int
    group_id: int
    platform: str
    external_id: str
    name: str


def _row(space: Space) -> SpaceRow:
    return SpaceRow(space.id, space.group_id, space.platform, space.external_id, space.name)


async def space(session: AsyncSession, space_id: int) -> SpaceRow:
    """One space (it must exist)."""
    return _row(await session.get_one(Space, space_id))


async def spaces(session: AsyncSession, space_ids: Iterable[int]) -> dict[int, SpaceRow]:
    """The spaces of ``space_ids`` that exist, by id."""
    query = select(Space).where(Space.id.in_(set(space_ids)))
    return {row.id: _row(row) for row in (await session.execute(query)).scalars()}


async def schedule_rows(
    session: AsyncSession, group_ids: Iterable[int] | None = None
) -> tuple[list[SpaceRow], SettingValues]:
    """The spaces of some groups (all when ``None``) and those groups' settings: two queries.

    Spaces come ordered by group, then id (the order posts fan out in).
    """
    space_query = select(Space).order_by(Space.group_id, Space.id)
    setting_query = select(Setting)
    if group_ids is not None:
        wanted = list(group_ids)
        space_query = space_query.where(Space.group_id.in_(wanted))
        setting_query = setting_query.where(Setting.group_id.in_(wanted))
    found = [_row(row) for row in (await session.execute(space_query)).scalars()]
    values: SettingValues = defaultdict(dict)
    for setting in (await session.execute(setting_query)).scalars():
        values[(setting.group_id, setting.scope)][setting.key] = setting.value
    return found, values
