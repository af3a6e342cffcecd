"""The check-in writer: group commit for bursts of ``/done``.

One committed transaction per check-in tops out around 1,000-1,700 per second on SQLite
behind the async bridge (every statement is a thread hop); a burst of members checking in
right after the daily post would queue behind it. Here callers put their check-in on a
queue and await a future; one task takes everything queued (up to ``max_batch``), records
it with :func:`~bot.features.checkins.recording.record` in ONE transaction, commits, and
only then resolves each caller's future. Nothing is acknowledged before it is durable, and
concurrent check-ins share the cost of a commit.

This is a deliberate exception to "one transaction per invocation": ``/done`` resolves
the member in the dispatcher's transaction and the check-in itself commits in the
writer's. The writer's transaction holds the check-in rows *and* every figure derived
from them, so it either happens completely or not at all, whatever the dispatcher's
transaction does afterwards.

On PostgreSQL several batches are in flight at once (``lanes``, each on its own connection):
while the server runs one batch's statements, the event loop prepares the next. Row locks
keep them exact (the same member in two batches waits for the first to commit, as with two
instances); SQLite has one writer, so it keeps one lane and bigger batches.

A batch that fails is retried one check-in per transaction, so one bad row (a member
deleted meanwhile) fails only its own caller. :meth:`stop` refuses new work and finishes
everything queued: a graceful shutdown loses no acknowledged check-in.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from contextlib import suppress

from bot import metrics
from bot.core.clock import Clock
from bot.db.repositories import inbox as inbox_repo
from bot.db.sessions import Engine
from bot.features.checkins.recording import CheckinRequest, CheckinResult, Status, record
from bot.features.checkins.writer_db import WriterDatabase

log = logging.getLogger(__name__)

# The most check-ins committed together. Each caller waits for its whole batch, so the
# cap bounds the latency tail; see benchmarks/checkins.py --max-batch for the trade-off.
MAX_BATCH = 512
# Batches in flight at once on PostgreSQL, each on its own connection: while the server
# runs one batch's statements the event loop prepares the next (SQLite has one writer).
POSTGRES_LANES = 3
POSTGRES_BATCH = 170

_Item = tuple[CheckinRequest, "asyncio.Future[CheckinResult]"]


class WriterClosed(RuntimeError):
    """The writer is shutting down and takes no more check-ins."""


class CheckinWriter:
    """Batches concurrent check-ins into shared transactions (group commit).

    Args:
        engine: The writer's own engine (the composition root creates it; see
            :mod:`~bot.features.checkins.writer_db`); the writer keeps one connection open.
        clock: Source of ``updated_at``.
        max_batch: The most check-ins committed together.
        lanes: Batches committed concurrently, each on its own connection (default: one
            on SQLite, :data:`POSTGRES_LANES` on PostgreSQL).
    """

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        max_batch: int | None = None,
        lanes: int | None = None,
    ) -> None:
        self._db = WriterDatabase(engine)
        self._clock = clock
        sqlite = self._db.dialect == "sqlite"
        self.lanes = lanes or (1 if sqlite else POSTGRES_LANES)
        # Several lanes only overlap if the callers waiting at once fill several batches.
        self._max_batch = max_batch or (MAX_BATCH if self.lanes == 1 else POSTGRES_BATCH)
        self._free_lanes: asyncio.Queue[int] = asyncio.Queue()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._queue: deque[_Item] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.batches = 0
        self.largest_batch = 0

    @property
    def running(self) -> bool:
        """Whether the writer takes check-ins."""
        return self._task is not None and not self._closing

    async def start(self) -> None:
        """Connect, then start the writer task (so a bad database fails the start)."""
        self._closing = False
        for lane in range(self.lanes):
            await self._db.connection(lane)
        self._free_lanes = asyncio.Queue()
        for lane in range(self.lanes):
            self._free_lanes.put_nowait(lane)
        self._task = asyncio.create_task(self._run(), name="checkin-writer")

    async def submit(self, request: CheckinRequest) -> CheckinResult:
        """Record one check-in; returns once it (and its batch) is committed.

        Raises:
            WriterClosed: The writer is stopping or was never started.
            Exception: Whatever made the check-in's own transaction fail.
        """
        if not self.running:
            raise WriterClosed("the check-in writer is not running")
        future: asyncio.Future[CheckinResult] = asyncio.get_running_loop().create_future()
        self._queue.append((request, future))
        self._wakeup.set()
        # A caller that gives up cancels only its own future; the batch is written anyway.
        return await future

    async def stop(self) -> None:
        """Refuse new check-ins, commit everything queued, then end the task."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            with suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        await self._db.close()

    async def _run(self) -> None:
        while True:
            if not self._queue:
                if self._closing:
                    if self._in_flight:
                        await asyncio.gather(*self._in_flight, return_exceptions=True)
                    return
                if self._db.checkpointer is not None and not self._in_flight:
                    self._db.checkpointer.idle()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            # Wait for a free lane first: check-ins arriving meanwhile join this batch.
            lane = await self._free_lanes.get()
            # One loop turn lets callers that are already runnable join this batch.
            await asyncio.sleep(0)
            count = min(len(self._queue), self._max_batch)
            batch = [self._queue.popleft() for _ in range(count)]
            task = asyncio.create_task(self._run_batch(lane, batch), name="checkin-batch")
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _run_batch(self, lane: int, batch: list[_Item]) -> None:
        try:
            await self._commit(batch, lane)
        except Exception:  # never let one batch end the writer
            log.exception("check-in batch of %d failed unexpectedly", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(RuntimeError("check-in not recorded"))
        finally:
            self._free_lanes.put_nowait(lane)
            self._wakeup.set()

    async def _commit(self, batch: list[_Item], lane: int = 0) -> None:
        requests = [request for request, _ in batch]
        try:
            connection = await self._db.connection(lane)
            if self._db.checkpointer is not None:
                await self._db.checkpointer.finish(connection)
            async with connection.begin():
                now = self._clock.now()
                # With the check-ins, so a restart never records a stored command twice;
                # first, so that record() ends with the score counts every writer shares
                # (on PostgreSQL their row locks are then held the shortest time).
                keys = [r.inbox_key for r in requests if r.inbox_key is not None]
                await inbox_repo.mark_recorded(connection, keys, now)
                results = await record(connection, requests, now)
        except Exception as exc:
            # A broken connection is replaced; the retries below use a fresh one.
            await self._db.reset(lane)
            if len(batch) == 1:
                log.warning("check-in of member %s failed: %r", requests[0].key[0], exc)
                _, future = batch[0]
                if not future.done():
                    future.set_exception(exc)
                return
            log.warning("batch of %d check-ins failed (%r); retrying one by one", len(batch), exc)
            for item in batch:
                await self._commit([item], lane)
            return
        self.batches += 1
        self.largest_batch = max(self.largest_batch, len(batch))
        if self._db.checkpointer is not None:
            self._db.checkpointer.committed()
        for (_, future), result in zip(batch, results, strict=True):
            if result.status is Status.COUNTED:
                metrics.CHECKINS.inc()
            if not future.done():
                future.set_result(result)
