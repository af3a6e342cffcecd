"""The post ledger: claim a post before sending it, so exactly one instance sends it.

A claim is ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` on the unique
(space, channel, kind, local date) key, on SQLite and PostgreSQL alike: an empty
``RETURNING`` means another instance (or an earlier run) already has the row. A claim
whose lease ran out (its owner died or stalled) is taken over with a conditional
``UPDATE`` that only one contender can win. Every later write is *fenced* by the
``(claimed_by, attempts)`` pair the claim was granted with, so a stale owner that wakes
up after a takeover cannot overwrite the new owner's outcome.

``sent_at`` has two meanings: on a ``sent`` row it is when the platform accepted the
message; on an unfinished row it is the earliest moment a message *may* have been
created (set before the first send attempt), or ``NULL`` when certainly none was.
That is what lets a takeover tell "never sent" from "maybe sent".

The scheduler (``bot/scheduling``) decides when to claim and what to send; this module
is only the ledger's SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.posts import IN_FLIGHT, PostKey, PostKind, PostStatus
from bot.db.models import Post
from bot.db.upsert import upsert

_posts = cast(Table, Post.__table__)


@dataclass(frozen=True)
class Claim:
    """The right to send one post, granted to one owner until its lease runs out.

    Attributes:
        row_id: The ledger row.
        key: The post.
        owner: The instance holding the claim.
        attempt: The row's ``attempts`` value this claim was granted with (fencing token).
        scheduled_for: When the post was due.
        maybe_sent_at: Earliest moment an earlier owner may have created the message, or
            ``None`` when no earlier attempt can have reached the platform.
        content_id: The content item an earlier owner chose, if any.
    """

    row_id: int
    key: PostKey
    owner: str
    attempt: int
    scheduled_for: datetime | None
    maybe_sent_at: datetime | None = None
    content_id: str | None = None

    @property
    def is_takeover(self) -> bool:
        """Whether another owner held this post before."""
        return self.attempt > 1


def _key_filter(key: PostKey) -> Any:
    return and_(
        _posts.c.space_id == key.space_id,
        _posts.c.channel_id == key.channel_id,
        _posts.c.kind == key.kind.value,
        _posts.c.local_date == key.local_date,
    )


async def claim(
    session: AsyncSession,
    key: PostKey,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    scheduled_for: datetime | None,
) -> Claim | None:
    """Claim ``key`` for ``owner``; take it over if its lease ran out; else ``None``.

    Commit right after, so other instances see the claim.
    """
    values = {
        "space_id": key.space_id,
        "channel_id": key.channel_id,
        "kind": key.kind.value,
        "local_date": key.local_date,
        "status": PostStatus.CLAIMED.value,
        "claimed_by": owner,
        "lease_until": now + lease,
        "attempts": 1,
        "scheduled_for": scheduled_for,
        "created_at": now,
        "updated_at": now,
    }
    statement = (
        upsert(session, _posts)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["space_id", "channel_id", "kind", "local_date"])
        .returning(_posts.c.id)
    )
    row_id = (await session.execute(statement)).scalar_one_or_none()
    if row_id is not None:
        return Claim(row_id, key, owner, 1, scheduled_for)
    existing = await find(session, key)
    if existing is None:
        return None
    return await take_over(session, existing, owner=owner, now=now, lease=lease)


async def take_over(
    session: AsyncSession, row: Post, *, owner: str, now: datetime, lease: timedelta
) -> Claim | None:
    """Take over an in-flight row whose lease ran out.

    Returns ``None`` when the lease has not run out or another instance won the race.
    """
    if PostStatus(row.status) not in IN_FLIGHT or row.lease_until is None:
        return None
    if row.lease_until >= now:
        return None
    # A row that may have reached the platform stays "sending", so a crash of the new
    # owner before its own first attempt still leaves the row marked as "maybe sent".
    status = PostStatus.CLAIMED if row.sent_at is None else PostStatus.SENDING
    statement = (
        update(_posts)
        .where(
            _posts.c.id == row.id,
            _posts.c.attempts == row.attempts,
            _posts.c.status == row.status,
            _posts.c.lease_until < now,
        )
        .values(
            claimed_by=owner,
            attempts=row.attempts + 1,
            status=status.value,
            lease_until=now + lease,
            updated_at=now,
        )
    )
    if await _rowcount(session, statement) != 1:
        return None
    key = PostKey(row.space_id, row.channel_id, PostKind(row.kind), row.local_date)
    return Claim(
        row.id,
        key,
        owner,
        row.attempts + 1,
        row.scheduled_for,
        maybe_sent_at=row.sent_at,
        content_id=row.content_id,
    )


async def retake(
    session: AsyncSession, row: Post, *, owner: str, now: datetime, lease: timedelta
) -> Claim | None:
    """Claim a row that ended unsent (failed, missed, skipped, uncertain) once more.

    For a moderator's ``/admin post … force``; ``None`` for sent or in-flight rows.
    """
    if PostStatus(row.status) in IN_FLIGHT or row.status == PostStatus.SENT.value:
        return None
    statement = (
        update(_posts)
        .where(_posts.c.id == row.id, _posts.c.attempts == row.attempts)
        .values(
            claimed_by=owner,
            attempts=row.attempts + 1,
            status=PostStatus.CLAIMED.value,
            lease_until=now + lease,
            # The moderator says it is not there: treat it as never sent.
            sent_at=None,
            error=None,
            updated_at=now,
        )
    )
    if await _rowcount(session, statement) != 1:
        return None
    key = PostKey(row.space_id, row.channel_id, PostKind(row.kind), row.local_date)
    return Claim(row.id, key, owner, row.attempts + 1, row.scheduled_for)


def _fenced(claim: Claim) -> Any:
    return and_(
        _posts.c.id == claim.row_id,
        _posts.c.claimed_by == claim.owner,
        _posts.c.attempts == claim.attempt,
    )


async def _fenced_update(session: AsyncSession, claim: Claim, **values: Any) -> bool:
    statement = update(_posts).where(_fenced(claim)).values(**values)
    return await _rowcount(session, statement) == 1


async def _rowcount(session: AsyncSession, statement: Any) -> int:
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount)


async def begin_attempt(
    session: AsyncSession, claim: Claim, *, now: datetime, lease: timedelta, content_id: str | None
) -> bool:
    """Record that a send attempt starts (the message may exist from now on).

    Also renews the lease. Returns ``False`` when the claim was lost to a takeover.
    """
    return await _fenced_update(
        session,
        claim,
        status=PostStatus.SENDING.value,
        sent_at=func.coalesce(_posts.c.sent_at, now),
        lease_until=now + lease,
        content_id=content_id,
        updated_at=now,
    )


async def mark_sent(
    session: AsyncSession, claim: Claim, *, now: datetime, message_ref: str
) -> bool:
    """Record the platform's acceptance; ``False`` if the claim was lost meanwhile."""
    return await _fenced_update(
        session,
        claim,
        status=PostStatus.SENT.value,
        sent_at=now,
        lease_until=None,
        message_ref=message_ref[:128],
        error=None,
        updated_at=now,
    )


async def mark_retry(
    session: AsyncSession,
    claim: Claim,
    *,
    now: datetime,
    retry_at: datetime,
    error: str,
    maybe_sent: bool,
) -> bool:
    """Give the row back until ``retry_at`` after a transient failure.

    ``maybe_sent`` is ``False`` when every attempt was refused before a message could
    be created (rate limited) and no earlier owner may have sent it either.
    """
    values: dict[str, Any] = {
        "status": PostStatus.RETRY.value,
        "lease_until": retry_at,
        "error": error[:2000],
        "updated_at": now,
    }
    if not maybe_sent:
        values["sent_at"] = None
    return await _fenced_update(session, claim, **values)


async def finish(
    session: AsyncSession, claim: Claim, status: PostStatus, *, now: datetime, error: str | None
) -> bool:
    """Close the row with a final status other than ``sent`` (failed, missed, skipped…)."""
    return await _fenced_update(
        session, claim, status=status.value, lease_until=None, error=error, updated_at=now
    )


async def record_final(
    session: AsyncSession,
    key: PostKey,
    status: PostStatus,
    *,
    now: datetime,
    scheduled_for: datetime | None,
    error: str,
) -> bool:
    """Insert a final row (a missed day) unless the key has a row; ``True`` if inserted."""
    statement = (
        upsert(session, _posts)
        .values(
            space_id=key.space_id,
            channel_id=key.channel_id,
            kind=key.kind.value,
            local_date=key.local_date,
            status=status.value,
            attempts=0,
            scheduled_for=scheduled_for,
            error=error,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["space_id", "channel_id", "kind", "local_date"])
        .returning(_posts.c.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def find(session: AsyncSession, key: PostKey) -> Post | None:
    """The row of ``key``, if any."""
    # populate_existing: the row may have changed under an object this session loaded.
    query = select(Post).where(_key_filter(key)).execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()
