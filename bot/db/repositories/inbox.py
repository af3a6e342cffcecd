"""SQL of the durable inbox (see :mod:`bot.core.inbox` for the life of an entry).

Every state change is a conditional ``UPDATE`` (``WHERE status IN …``), so whichever run
moves an entry first wins and any other finds zero rows: that is what makes processing
exactly once, on SQLite (one writer at a time) and on PostgreSQL (the row lock makes the
second ``UPDATE`` re-check its condition after the first commits).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.core.inbox import InboxEntry, InboxStatus, PendingEntry
from bot.core.models import Platform
from bot.db.models_inbox import InboxRow
from bot.db.upsert import upsert

Executor = AsyncConnection | AsyncSession

REPLY_MAX = 3900  # what one Slack section or Discord message shows, with room for a heading
# Rows per INSERT: 11 bound values each stay far under SQLite's 32,766-variable limit.
INSERT_CHUNK = 500
_UNANSWERED = (InboxStatus.PENDING.value, InboxStatus.RECORDED.value, InboxStatus.DONE.value)
# What a sweep looks at: work to finish, claims of answers a crash interrupted, and
# entries a recovery was checking when it stopped.
_UNCHECKED = (InboxStatus.ANSWERING.value, InboxStatus.UNCERTAIN.value)
_UNFINISHED = (*_UNANSWERED, *_UNCHECKED)
_KEPT = (InboxStatus.ANSWERED.value, InboxStatus.UNCERTAIN.value)
# A recovery that checked an uncertain answer claims it again before re-sending it.
_RECLAIMABLE = (*_UNANSWERED, InboxStatus.UNCERTAIN.value)


def _row(entry: InboxEntry, lease_until: datetime) -> dict[str, Any]:
    return {
        "key": entry.key,
        "platform": entry.platform.value,
        "kind": entry.kind,
        "payload": json.dumps(entry.payload, separators=(",", ":")),
        "summary": entry.summary[:200],
        "status": InboxStatus.PENDING.value,
        "received_at": entry.received_at,
        "lease_until": lease_until,
        "attempts": 0,
    }


async def insert_new(
    db: AsyncConnection, entries: Sequence[InboxEntry], lease: timedelta
) -> set[str]:
    """Insert entries whose key is new; return the keys inserted (the rest are redeliveries).

    Each entry is leased to the live process for ``lease`` from its arrival, so the
    recovery sweep leaves it alone while it is being worked on.
    """
    inserted: set[str] = set()
    for start in range(0, len(entries), INSERT_CHUNK):
        chunk = entries[start : start + INSERT_CHUNK]
        rows = [_row(e, e.received_at + lease) for e in chunk]
        statement = (
            upsert(db, InboxRow)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(InboxRow.key)
        )
        inserted.update((await db.execute(statement)).scalars())
    return inserted


async def mark_done(db: Executor, key: str, reply: str, now: datetime) -> bool:
    """Move ``key`` to ``done`` with its reply; ``False`` if another run already did."""
    result = await db.execute(
        update(InboxRow)
        .where(
            InboxRow.key == key,
            InboxRow.status.in_((InboxStatus.PENDING.value, InboxStatus.RECORDED.value)),
        )
        .values(status=InboxStatus.DONE.value, reply=reply[:REPLY_MAX], done_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_recorded(db: Executor, keys: Iterable[str], now: datetime) -> None:
    """Move pending ``keys`` to ``recorded`` (the check-in writer, in its transaction)."""
    wanted = list(keys)
    if wanted:
        await db.execute(
            update(InboxRow)
            .where(InboxRow.key.in_(wanted), InboxRow.status == InboxStatus.PENDING.value)
            .values(status=InboxStatus.RECORDED.value, done_at=now)
            .execution_options(synchronize_session=False)
        )


async def mark_answering(db: Executor, keys: Iterable[str], *, uncertain: bool = False) -> set[str]:
    """Claim the answers of unanswered ``keys``; returns the keys claimed.

    A key not returned is already answered, being answered or (unless ``uncertain``, the
    recovery that holds an uncertain entry re-sending it) uncertain: its answer must not
    be sent again.
    """
    wanted = list(keys)
    if not wanted:
        return set()
    allowed = _RECLAIMABLE if uncertain else _UNANSWERED
    result = await db.execute(
        update(InboxRow)
        .where(InboxRow.key.in_(wanted), InboxRow.status.in_(allowed))
        .values(status=InboxStatus.ANSWERING.value)
        .returning(InboxRow.key)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


async def mark_answered(db: Executor, keys: Iterable[str]) -> None:
    """Move ``keys`` to ``answered`` (from any state: an answer went out)."""
    wanted = list(keys)
    if wanted:
        await db.execute(
            update(InboxRow)
            .where(InboxRow.key.in_(wanted))
            .values(status=InboxStatus.ANSWERED.value)
            .execution_options(synchronize_session=False)
        )


async def claim_due(
    db: AsyncSession,
    now: datetime,
    lease: timedelta,
    limit: int,
    skip: Callable[[str], bool] = lambda _key: False,
) -> list[PendingEntry]:
    """Claim up to ``limit`` unfinished entries whose lease ran out, oldest first.

    Each is taken with its own conditional update, so two instances sweeping at once never
    both claim one entry. Keys for which ``skip`` is true are left alone. An entry found
    ``answering`` (its process died while the answer was being sent), or ``uncertain`` (a
    recovery died while checking it), is moved to ``uncertain`` under a new lease and
    returned with that status: its adapter checks whether the answer arrived.
    """
    candidates = (
        await db.execute(
            select(InboxRow)
            .where(InboxRow.status.in_(_UNFINISHED), InboxRow.lease_until < now)
            .order_by(InboxRow.received_at)
            .limit(limit)
        )
    ).scalars()
    claimed: list[PendingEntry] = []
    for row in list(candidates):
        if skip(row.key):
            continue
        status = row.status
        if status in _UNCHECKED:
            status = InboxStatus.UNCERTAIN.value
        result = await db.execute(
            update(InboxRow)
            .where(
                InboxRow.key == row.key,
                InboxRow.status == row.status,
                InboxRow.lease_until == row.lease_until,
            )
            .values(lease_until=now + lease, attempts=row.attempts + 1, status=status)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0):
            claimed.append(_pending(row, row.attempts + 1, InboxStatus(status)))
    return claimed


def _pending(row: InboxRow, attempts: int, status: InboxStatus | None = None) -> PendingEntry:
    entry = InboxEntry(
        key=row.key,
        platform=Platform(row.platform),
        kind=row.kind,
        payload=json.loads(row.payload),
        summary=row.summary,
        received_at=row.received_at,
    )
    return PendingEntry(entry, status or InboxStatus(row.status), row.reply, attempts)


async def prune(db: Executor, before: datetime) -> int:
    """Delete answered (or uncertain) entries received before ``before``; returns how many."""
    result = await db.execute(
        delete(InboxRow).where(InboxRow.status.in_(_KEPT), InboxRow.received_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def status_counts(db: Executor) -> dict[str, int]:
    """Entries per status (for ``/healthz``-style reports and the benchmark)."""
    rows = await db.execute(select(InboxRow.status, func.count()).group_by(InboxRow.status))
    return {str(status): int(count) for status, count in rows.all()}


__all__ = [
    "REPLY_MAX",
    "claim_due",
    "insert_new",
    "mark_answered",
    "mark_answering",
    "mark_done",
    "mark_recorded",
    "prune",
    "status_counts",
]
