"""Finishing stored commands a crash left behind: a sweep at start-up, then periodically.

Each sweep claims unfinished inbox entries whose lease ran out (the process that took them
died, or another instance did) and hands each to the adapter of its platform
(:class:`~bot.core.inbox.Replayer`), a few at a time. An entry claimed
:data:`MAX_ATTEMPTS` times without being answered is given up on (logged), so one entry
that always fails cannot be retried forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import suppress

from bot.core.clock import Clock
from bot.core.inbox import Inbox, PendingEntry, Replayer
from bot.core.models import Platform

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_BATCH = 200


class InboxRecovery:
    """Runs the sweeps for one process.

    Args:
        inbox: The store to claim from.
        clock: The injected clock (leases are compared with it).
        replayers: The adapter that finishes each platform's entries.
        interval: Seconds between sweeps after the first.
        concurrency: Entries finished at once.
    """

    def __init__(
        self,
        inbox: Inbox,
        clock: Clock,
        replayers: Mapping[Platform, Replayer],
        *,
        interval: float = 10.0,
        concurrency: int = 8,
    ) -> None:
        self.inbox = inbox
        self.clock = clock
        self.replayers = dict(replayers)
        self.interval = interval
        self._slots = asyncio.Semaphore(concurrency)
        self._task: asyncio.Task[None] | None = None
        self.first_sweep = asyncio.Event()
        self.finished = 0

    async def start(self) -> None:
        """Start sweeping in the background (the first sweep runs at once)."""
        if self.replayers:
            self._task = asyncio.create_task(self._loop(), name="inbox-recovery")
        else:
            self.first_sweep.set()

    async def stop(self) -> None:
        """Stop sweeping; an entry being finished is left for the next start."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("inbox sweep failed; trying again in %.0f s", self.interval)
            finally:
                self.first_sweep.set()
            await asyncio.sleep(self.interval)

    async def sweep(self) -> int:
        """Claim and finish every due entry; returns how many were handed to adapters."""
        total = 0
        while True:
            claimed = await self.inbox.claim_due(self.clock.now(), CLAIM_BATCH)
            if not claimed:
                return total
            total += len(claimed)
            await asyncio.gather(*(self._finish(p) for p in claimed))
            if len(claimed) < CLAIM_BATCH:
                return total

    async def _finish(self, pending: PendingEntry) -> None:
        entry = pending.entry
        replayer = self.replayers.get(entry.platform)
        if replayer is None:
            return  # that adapter is not running here; its lease runs out for another
        if pending.attempts > MAX_ATTEMPTS:
            log.error(
                "giving up on stored command %s (%s) after %d attempts",
                entry.key,
                entry.summary,
                pending.attempts - 1,
            )
            self.inbox.answered(entry.key)
            return
        async with self._slots:
            try:
                await replayer.replay(pending)
                self.finished += 1
            except Exception:
                log.exception("could not finish stored command %s", entry.key)
