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
import time
from collections.abc import Mapping
from contextlib import suppress

from bot.core.clock import Clock
from bot.core.inbox import Inbox, InboxStatus, PendingEntry, Replayer
from bot.core.models import Platform

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
GAVE_UP = (
    "Sorry, I could not run `{summary}` after several tries (my database kept failing), so "
    "nothing was changed. Please try again."
)
CLAIM_BATCH = 200
PRUNE_EVERY = 3600.0  # seconds between deletions of old answered entries


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
        self.uncertain = 0

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
        pruned_at = float("-inf")
        while True:
            try:
                await self.sweep()
                if time.monotonic() - pruned_at >= PRUNE_EVERY:
                    pruned_at = time.monotonic()
                    removed = await self.inbox.prune()
                    if removed:
                        log.info("deleted %d answered inbox entries", removed)
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
        if pending.status is InboxStatus.UNCERTAIN:
            # Its process died while sending the answer: the adapter finds out whether it
            # arrived (Discord's original response, Slack's channel history) and sends it
            # only if it did not, or, where nothing can tell, once more with a notice.
            log.warning(
                "stored command %s (%s) was being answered when its process stopped; "
                "checking whether the answer arrived",
                entry.key,
                entry.summary,
            )
            self.uncertain += 1
            if pending.attempts > MAX_ATTEMPTS:
                log.error("giving up on checking the answer of %s", entry.key)
                self.inbox.answered(entry.key)
                return
        if replayer is None:
            return  # that adapter is not running here; its lease runs out for another
        if pending.attempts > MAX_ATTEMPTS and pending.status is InboxStatus.PENDING:
            log.error(
                "giving up on stored command %s (%s) after %d attempts",
                entry.key,
                entry.summary,
                pending.attempts - 1,
            )
            # Nothing of it committed (it is still pending): say so, as its answer.
            text = GAVE_UP.format(summary=entry.summary)
            pending = PendingEntry(entry, InboxStatus.DONE, text, pending.attempts)
        async with self._slots:
            try:
                await replayer.replay(pending)
                self.finished += 1
            except Exception:
                log.exception("could not finish stored command %s", entry.key)
                self.inbox.release(entry.key)  # the next sweep after its lease tries again
