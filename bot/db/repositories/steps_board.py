"""The ``steps`` leaderboard: members by roadmap steps done, read like the streak boards.

Scores are ``member_progress.steps_done`` (top-N from ``ix_member_progress_rank_steps``);
ranks and the board's size are sums over the ``steps`` rows of ``progress_counts``, so the
100,000th member's rank costs what the first one's does. Hidden members are not listed.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, case, func, select

from bot.db.models_progress import MemberProgress, ProgressCount
from bot.db.repositories.checkins import Executor

_SUMMARY = cast(Table, MemberProgress.__table__)
_COUNTS = cast(Table, ProgressCount.__table__)


def _histogram(group_id: int) -> object:
    return (_COUNTS.c.group_id == group_id) & (_COUNTS.c.kind == "steps")


async def standing(
    db: Executor, group_id: int, member_id: int | None
) -> tuple[int, int | None, bool, int]:
    """``(score, rank, hidden, board size)`` of a member (rank ``None`` when unlisted)."""
    row = _SUMMARY.c.member_id == (-1 if member_id is None else member_id)
    mine = select(_SUMMARY.c.steps_done).where(row).scalar_subquery()
    hidden = select(_SUMMARY.c.hidden).where(row).scalar_subquery()
    threshold = func.coalesce(mine, 2**31 - 1)
    query = select(
        mine,
        hidden,
        func.coalesce(func.sum(_COUNTS.c.members), 0),
        func.coalesce(func.sum(case((_COUNTS.c.score > threshold, _COUNTS.c.members), else_=0)), 0),
    ).where(_histogram(group_id))  # type: ignore[arg-type]
    score, is_hidden, size, above = (await db.execute(query)).one()
    score = int(score or 0)
    listed = score > 0 and not is_hidden
    return score, int(above) + 1 if listed else None, bool(is_hidden), int(size)


async def top(db: Executor, group_id: int, limit: int, offset: int) -> list[tuple[int, int]]:
    """One page of ``(member_id, steps done)``, highest first (an index range)."""
    query = (
        select(_SUMMARY.c.member_id, _SUMMARY.c.steps_done)
        .where(
            _SUMMARY.c.group_id == group_id,
            _SUMMARY.c.hidden.is_(False),
            _SUMMARY.c.steps_done > 0,
        )
        .order_by(_SUMMARY.c.steps_done.desc(), _SUMMARY.c.member_id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(int(m), int(s)) for m, s in (await db.execute(query)).all()]


async def rank_of(db: Executor, group_id: int, score: int) -> int:
    """The rank of a score: ``1 +`` the visible members with more steps done."""
    query = select(func.coalesce(func.sum(_COUNTS.c.members), 0)).where(
        _histogram(group_id),  # type: ignore[arg-type]
        _COUNTS.c.score > score,
    )
    return 1 + int((await db.execute(query)).scalar_one())
