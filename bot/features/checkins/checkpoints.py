"""WAL checkpoints for the check-in writer on SQLite, off the writer's path.

SQLite normally checkpoints (copies the write-ahead log back into the database file) from
whichever connection's commit pushes the log past 1,000 pages, and that commit waits for
it. A batch of 500 check-ins changes pages all over ``member_stats`` and its indexes, so
nearly every batch would pay for one: its callers would wait for pages to be copied. The
writer's connection therefore does not checkpoint: when the writer goes idle (and every
``every`` batches of a long burst) a *passive* checkpoint runs on another pooled
connection (another thread, so another core), which never blocks the writer or readers.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from bot.db.repositories.sqlite_wal import checkpoint_passive
from bot.db.sessions import Connection, Engine

log = logging.getLogger(__name__)


class Checkpointer:
    """Starts background passive checkpoints, one at a time.

    Args:
        engine: The SQLite database.
        every: During a burst without idle moments, commits between checkpoints.
    """

    def __init__(self, engine: Engine, *, every: int = 8) -> None:
        self._engine = engine
        self._every = every
        self._commits = 0
        self._task: asyncio.Task[None] | None = None
        self._caught_up = False
        self.runs = 0

    def committed(self) -> None:
        """Note a commit of the writer; start a checkpoint when one is long overdue."""
        self._commits += 1
        if self._commits >= self._every:
            self.idle()

    def idle(self) -> None:
        """The writer has nothing queued: a good moment for a checkpoint, if one is due."""
        if self._commits and (self._task is None or self._task.done()):
            self._commits = 0
            self._task = asyncio.create_task(self._checkpoint(), name="checkin-checkpoint")

    async def _checkpoint(self) -> None:
        try:
            async with self._engine.connect() as connection:
                await checkpoint_passive(connection)
            self.runs += 1
            self._caught_up = True
        except Exception:  # the next one (or SQLite's own at close) catches up
            log.warning("background WAL checkpoint failed", exc_info=True)

    async def finish(self, connection: Connection) -> None:
        """Complete a background checkpoint on the writer's connection, between batches.

        Only the few pages written since the background checkpoint are left to copy;
        then the log is wholly in the database file and the next batch writes it from
        the beginning again, instead of growing it (longer logs make every read slower).
        """
        if not self._caught_up:
            return
        self._caught_up = False
        await checkpoint_passive(connection)
        await connection.commit()

    async def close(self) -> None:
        """Wait for a running checkpoint to finish."""
        if self._task is not None:
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
