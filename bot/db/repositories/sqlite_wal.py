"""The SQLite pragmas of the check-in writer's connections: page cache and WAL checkpoints.

:mod:`bot.features.checkins.writer_db` and :mod:`bot.features.checkins.checkpoints` decide
*when*; the statements themselves live here, with the rest of the SQL.
"""

from __future__ import annotations

from bot.db.sessions import Connection


async def tune_writer_connection(connection: Connection, cache_kib: int) -> None:
    """Give a writer lane a ``cache_kib`` page cache and turn off automatic checkpoints.

    Results are closed: an unfinished statement would keep a read transaction open, and
    the log could then never start over. Commits.
    """
    for pragma in (f"cache_size=-{cache_kib}", "wal_autocheckpoint=0"):
        (await connection.exec_driver_sql(f"PRAGMA {pragma}")).close()
    await connection.commit()


async def checkpoint_passive(connection: Connection) -> None:
    """Run one passive WAL checkpoint (never blocks writers or readers); does not commit."""
    (await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")).all()
