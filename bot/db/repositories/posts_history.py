"""Reads of the post ledger that claim nothing.

Expired leases for the sweeper, the days a channel already has rows for, and recent posts,
problems and counts per status for ``/admin schedule``.

Claiming and recording posts is :mod:`bot.db.repositories.posts_ledger`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.posts import IN_FLIGHT, PostKind, PostStatus
from bot.db.models import Post

_posts = cast(Table, Post.__table__)


async def expired(session: AsyncSession, *, now: datetime, limit: int = 200) -> Sequence[Post]:
    """In-flight rows whose lease has run out, oldest first (the sweeper's work list)."""
    query = (
        select(Post)
        .where(
            _posts.c.status.in_([s.value for s in IN_FLIGHT]),
            _posts.c.lease_until < now,
        )
        .order_by(_posts.c.lease_until)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalars().all()


async def dates_with_rows(
    session: AsyncSession, space_id: int, channel_id: str, kind: PostKind, since: date
) -> set[date]:
    """Local dates on or after ``since`` that already have a row for this channel and kind."""
    query = select(_posts.c.local_date).where(
        _posts.c.space_id == space_id,
        _posts.c.channel_id == channel_id,
        _posts.c.kind == kind.value,
        _posts.c.local_date >= since,
    )
    return set((await session.execute(query)).scalars())


async def recent(
    session: AsyncSession, space_ids: Sequence[int], kind: PostKind, *, limit: int = 5
) -> Sequence[Post]:
    """The newest rows of one kind in some spaces (for ``/admin schedule``)."""
    query = (
        select(Post)
        .where(_posts.c.space_id.in_(space_ids), _posts.c.kind == kind.value)
        .order_by(_posts.c.local_date.desc(), _posts.c.id.desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def problems(
    session: AsyncSession, space_ids: Sequence[int], since: date, *, limit: int = 10
) -> Sequence[Post]:
    """Rows that did not end as sent (failed, missed, uncertain, retrying) since a date."""
    bad = [
        PostStatus.FAILED.value,
        PostStatus.MISSED.value,
        PostStatus.UNCERTAIN.value,
        PostStatus.RETRY.value,
    ]
    query = (
        select(Post)
        .where(
            _posts.c.space_id.in_(space_ids),
            _posts.c.status.in_(bad),
            _posts.c.local_date >= since,
        )
        .order_by(_posts.c.local_date.desc(), _posts.c.id.desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def status_counts(
    session: AsyncSession, space_ids: Sequence[int], kind: PostKind, since: date
) -> dict[str, int]:
    """How many rows of ``kind`` since ``since`` ended in each status."""
    query = (
        select(_posts.c.status, func.count())
        .where(
            _posts.c.space_id.in_(space_ids),
            _posts.c.kind == kind.value,
            _posts.c.local_date >= since,
        )
        .group_by(_posts.c.status)
    )
    return {str(status): int(count) for status, count in (await session.execute(query)).all()}


async def keys_since(
    session: AsyncSession, kind: PostKind, since: date
) -> set[tuple[int, str, date]]:
    """``(space id, channel id, local date)`` of every row of ``kind`` since ``since``."""
    query = select(_posts.c.space_id, _posts.c.channel_id, _posts.c.local_date).where(
        _posts.c.kind == kind.value, _posts.c.local_date >= since
    )
    return {(int(s), str(c), d) for s, c, d in (await session.execute(query)).all()}
