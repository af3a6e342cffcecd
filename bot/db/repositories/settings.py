"""Per-group settings rows, read with their defaults from the registered specs."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Setting

GROUP_SCOPE = "group"


def space_scope(space_id: int) -> str:
    """The scope string for a per-space value (channels differ per platform)."""
    return f"space:{space_id}"


async def load(session: AsyncSession, group_id: int, scope: str = GROUP_SCOPE) -> dict[str, Any]:
    """Every stored value of a group (one scope) as ``{key: value}``."""
    query = select(Setting).where(Setting.group_id == group_id, Setting.scope == scope)
    return {row.key: row.value for row in (await session.execute(query)).scalars()}


async def load_keys(
    session: AsyncSession, group_ids: Iterable[int], keys: Collection[str]
) -> dict[int, dict[str, Any]]:
    """The stored group-scope values of ``keys`` for each of ``group_ids``.

    Every group asked for is in the result (``{}`` when it stored none of the keys).
    """
    groups = list(group_ids)
    values: dict[int, dict[str, Any]] = {group: {} for group in groups}
    query = select(Setting.group_id, Setting.key, Setting.value).where(
        Setting.scope == GROUP_SCOPE,
        Setting.key.in_(list(keys)),
        Setting.group_id.in_(groups),
    )
    for group_id, key, value in await session.execute(query):
        values[group_id][key] = value
    return values


async def put(
    session: AsyncSession,
    group_id: int,
    key: str,
    value: Any,
    now: datetime,
    scope: str = GROUP_SCOPE,
) -> Any:
    """Store ``value`` under ``key``; returns the previous stored value (or ``None``)."""
    row = await session.get(Setting, (group_id, scope, key))
    before = None if row is None else row.value
    if row is None:
        session.add(Setting(group_id=group_id, scope=scope, key=key, value=value, updated_at=now))
    else:
        row.value = value
        row.updated_at = now
    await session.flush()
    return before
