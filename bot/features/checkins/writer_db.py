"""The check-in writer's own database connection.

The writer needs an engine of its own (the composition root creates it, same URL, same
pragmas) instead of a connection from the app's pool: commands awaiting their check-in hold
pooled connections while they wait, so a writer that had to borrow one could wait for them
forever (a burst of 60 ``/done`` exhausted a pool of 15). Its one connection stays open and
warm (statement and page caches). On SQLite it gets a 64 MB page cache (a batch touches rows
all over ``member_stats`` and its indexes) and leaves WAL checkpoints to
:class:`~bot.features.checkins.checkpoints.Checkpointer`, on a second connection.
"""

from __future__ import annotations

from contextlib import suppress

from bot.db.repositories.sqlite_wal import tune_writer_connection
from bot.db.sessions import Connection, Engine
from bot.features.checkins.checkpoints import Checkpointer

CACHE_KIB = 65_536


class WriterDatabase:
    """Long-lived connections for the writer, one per lane, from the engine it was given.

    Args:
        engine: The writer's engine (its owner disposes of it).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connections: dict[int, Connection] = {}
        self.checkpointer: Checkpointer | None = None

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    async def connection(self, lane: int = 0) -> Connection:
        """A lane's connection (opened, or reopened after an error, on demand)."""
        if lane not in self._connections:
            connection = await self._engine.connect()
            if connection.dialect.name == "sqlite":
                await tune_writer_connection(connection, CACHE_KIB)
                if self.checkpointer is None:
                    self.checkpointer = Checkpointer(self._engine)
            self._connections[lane] = connection
        return self._connections[lane]

    async def reset(self, lane: int = 0) -> None:
        """Drop a lane's connection (after an error); the next use opens a fresh one."""
        connection = self._connections.pop(lane, None)
        if connection is not None:
            with suppress(Exception):
                await connection.close()

    async def close(self) -> None:
        """Close every connection and wait for a running checkpoint."""
        for lane in list(self._connections):
            await self.reset(lane)
        if self.checkpointer is not None:
            await self.checkpointer.close()
