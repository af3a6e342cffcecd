"""The durable inbox's store: group commit on the ack path, claims for recovery.

An adapter awaits :meth:`InboxStore.accept` before it acknowledges a command, so this is on
the 3-second path of every Slack and Discord interaction. One committed transaction per
command would cap a burst at what one connection commits per second; here every caller puts
its entry on a queue and awaits a future, and one task stores everything queued in ONE
multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING key``, commits, and only then resolves
the futures: nothing is acknowledged before it is durable, and a burst shares the commits
(the same design as :mod:`bot.features.checkins.writer`). The claim of an answer
(``answering``, awaited before the reply is sent) shares those batches too; "answered" marks
ride along in the next batch and nobody waits for them.

The store has an engine and one connection of its own (same URL): a burst of commands
holding pooled connections must not make the ack wait for one. Claims and pruning, off the
ack path, use the app's engine.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from contextlib import suppress
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.clock import Clock
from bot.core.inbox import InboxEntry, InboxUnavailable, PendingEntry
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories import inbox as inbox_repo

log = logging.getLogger(__name__)

MAX_BATCH = 512
# The live process owns an entry this long after it arrived; the sweep takes it afterwards.
LEASE = timedelta(minutes=2)
# Answered entries are kept this long, so a late redelivery is still recognised.
KEEP = timedelta(days=2)
# An entry this process took and has not answered yet is its own, even past the lease (a
# burst can queue work longer than that): its sweep leaves it alone for this long.
LIVE_GRACE = 600.0
# SQLite: the store's connection waits at most LOCK_SLICE_MS for a locked database (SQLite's
# busy handler polls within it at 1, 2, 5, 10 ms, in the driver's thread), then the store
# tries again at once, for up to LOCK_WAIT seconds. With one long timeout instead, SQLite
# backs off to 100 ms between tries, and under a stream of command transactions a long
# waiter keeps losing the lock to newer ones: the ack path must not be that waiter.
LOCK_SLICE_MS = 20
LOCK_WAIT = 15.0

_Item = tuple[InboxEntry, "asyncio.Future[bool]"]
# A claim of an answer: key, whether an uncertain entry may be claimed, the caller's future.
_Claim = tuple[str, bool, "asyncio.Future[bool]"]


class InboxStore:
    """Implements :class:`bot.core.inbox.Inbox` on the app's database.

    Args:
        engine: The app's engine (its URL is reused for the store's own connection).
        clock: The injected clock (leases and pruning).
        lease: How long an entry belongs to whoever took it before a sweep may retake it.
        max_batch: The most entries committed together.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        lease: timedelta = LEASE,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._url = engine.url.render_as_string(hide_password=False)
        self._sessions = create_session_factory(engine)
        self._clock = clock
        self.lease = lease
        self._max_batch = max_batch
        self._queue: deque[_Item] = deque()
        self._answered: list[str] = []
        self._answering: list[_Claim] = []
        self._barriers: list[asyncio.Future[None]] = []
        self._live: dict[str, float] = {}
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None
        self._closing = False
        self.batches = 0
        self.largest_batch = 0
        self.lock_retries = 0

    @property
    def running(self) -> bool:
        """Whether the store takes entries."""
        return self._task is not None and not self._closing

    async def start(self) -> None:
        """Connect (so a bad database fails the start), then start the batching task."""
        self._closing = False
        await self._connect()
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        """Refuse new entries, commit everything queued (and answered marks), disconnect."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            with suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        await self._reset()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def accept(self, entry: InboxEntry) -> bool:
        """Commit ``entry``; ``False`` when its key was stored before (a redelivery)."""
        if not self.running:
            raise InboxUnavailable("the inbox is not running")
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((entry, future))
        self._wakeup.set()
        return await future

    async def answering(self, key: str, *, uncertain: bool = False) -> bool:
        """Claim the answer of ``key`` (committed with the next batch) before it is sent.

        ``False`` when it is already answered, being answered or (unless ``uncertain``:
        the recovery holding an uncertain entry re-sends it) uncertain. When the claim
        cannot be stored (the store is stopping, the database failed) the answer is sent
        anyway: the member is told, at the risk of a repeat after a crash.
        """
        if not self.running:
            return True
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._answering.append((key, uncertain, future))
        self._wakeup.set()
        try:
            return await future
        except InboxUnavailable as exc:
            log.warning("answer of %s sent unclaimed: %s", key, exc)
            return True

    def answered(self, key: str) -> None:
        """Queue ``answered`` for ``key``; stored with the next batch.

        The key stays this process's own until that batch commits, so its sweep cannot
        take the entry (still ``done`` in the database) and answer it a second time.
        """
        self._answered.append(key)
        self._wakeup.set()

    def release(self, key: str) -> None:
        """Stop treating ``key`` as this process's own: its sweep may retry it after the lease."""
        self._live.pop(key, None)

    async def claim_due(self, now: datetime, limit: int) -> list[PendingEntry]:
        """Claim unfinished entries whose lease ran out, except this process's own.

        An entry this process accepted and is still working on (queued behind a burst,
        or its answer on the way) is not taken again by its own sweep; another instance
        may still take it after the lease, which the conditional updates make safe.
        """
        cutoff = time.monotonic() - LIVE_GRACE
        for key in [k for k, at in self._live.items() if at < cutoff]:
            del self._live[key]
        live = set(self._live)
        async with self._sessions() as session, session.begin():
            claimed = await inbox_repo.claim_due(
                session, now, self.lease, limit, skip=live.__contains__
            )
        # Now this process's own too, until answered (or released after a failure).
        for pending in claimed:
            self._live[pending.entry.key] = time.monotonic()
        return claimed

    async def prune(self) -> int:
        """Delete answered entries older than :data:`KEEP`."""
        async with self._sessions() as session, session.begin():
            return await inbox_repo.prune(session, self._clock.now() - KEEP)

    async def flush(self) -> None:
        """Wait until everything queued so far is committed (tests, shutdown)."""
        if not self.running:
            return
        barrier: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._barriers.append(barrier)
        self._wakeup.set()
        await barrier

    async def _connect(self) -> AsyncConnection:
        if self._engine is None:
            self._engine = create_engine(self._url)
        if self._connection is None:
            connection = await self._engine.connect()
            if connection.dialect.name == "sqlite":
                # Short waits, retried by _commit (see LOCK_SLICE_MS).
                pragma = f"PRAGMA busy_timeout={LOCK_SLICE_MS}"
                (await connection.exec_driver_sql(pragma)).close()
                await connection.commit()
            self._connection = connection
        return self._connection

    async def _reset(self) -> None:
        if self._connection is not None:
            with suppress(Exception):
                await self._connection.close()
            self._connection = None

    async def _run(self) -> None:
        while True:
            if not self._queue and not self._answered and not self._answering:
                barriers, self._barriers = self._barriers, []
                for barrier in barriers:
                    if not barrier.done():
                        barrier.set_result(None)
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            # One loop turn lets callers that are already runnable join this batch.
            await asyncio.sleep(0)
            count = min(len(self._queue), self._max_batch)
            batch = [self._queue.popleft() for _ in range(count)]
            answered, self._answered = self._answered, []
            answering, self._answering = self._answering, []
            try:
                await self._commit(batch, answered, answering)
            except Exception as exc:  # never let one batch end the writer
                log.warning("inbox batch of %d failed: %r", len(batch), exc)
                await self._reset()
                for future in [f for _, f in batch] + [f for _, _, f in answering]:
                    if not future.done():
                        future.set_exception(InboxUnavailable(f"could not store: {exc!r}"))
                if answered:
                    # Unmarked answers are only sent again after a restart; not worth a loop.
                    log.warning("%d answered mark(s) not stored", len(answered))

    async def _commit(
        self,
        batch: list[_Item],
        answered: list[str],
        answering: list[_Claim],
    ) -> None:
        connection = await self._connect()
        entries: list[InboxEntry] = []
        seen: set[str] = set()
        for entry, _ in batch:
            if entry.key not in seen:
                seen.add(entry.key)
                entries.append(entry)
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                async with connection.begin():
                    inserted = await inbox_repo.insert_new(connection, entries, self.lease)
                    # Marks after claims: an answer claimed and sent is never reclaimed.
                    claims = await inbox_repo.mark_answering(
                        connection, [k for k, again, _ in answering if not again]
                    )
                    claims |= await inbox_repo.mark_answering(
                        connection, [k for k, again, _ in answering if again], uncertain=True
                    )
                    await inbox_repo.mark_answered(connection, answered)
                break
            except OperationalError as exc:
                locked = connection.dialect.name == "sqlite" and "locked" in str(exc)
                if not locked or time.monotonic() > deadline:
                    raise
                self.lock_retries += 1
        self.batches += 1
        self.largest_batch = max(self.largest_batch, len(batch))
        for key in answered:
            self._live.pop(key, None)
        for key, _, answer in answering:
            if not answer.done():
                answer.set_result(key in claims)
            claims.discard(key)  # a second claim of one key in one batch is refused
        claimed: set[str] = set()
        for entry, future in batch:
            # Within one batch only the first of two equal keys is the new one.
            new = entry.key in inserted and entry.key not in claimed
            claimed.add(entry.key)
            if new:
                self._live[entry.key] = time.monotonic()
            if not future.done():
                future.set_result(new)
