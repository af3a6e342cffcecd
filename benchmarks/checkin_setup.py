"""Shared set-up of the check-in and leaderboard benchmarks: a database and a big group.

SQLite by default (a fresh file in a temporary folder, the production pragmas and the real
migrations); PostgreSQL when ``DATABASE_URL`` (or ``--database-url``) points at one, where
each run creates its own group so runs never collide.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import migrate
from bot.db.engine import create_engine, normalise_url
from bot.db.models import Group, Member

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@dataclass
class Database:
    """An engine on a migrated database and a label for the summary line."""

    engine: AsyncEngine
    label: str
    folder: tempfile.TemporaryDirectory[str] | None = None

    async def close(self) -> None:
        """Dispose of the engine and delete a temporary SQLite file."""
        await self.engine.dispose()
        if self.folder is not None:
            self.folder.cleanup()


async def open_database(url: str | None) -> Database:
    """A migrated database: ``url``, else ``$DATABASE_URL``, else a temporary SQLite file."""
    url = url or os.environ.get("DATABASE_URL")
    folder = None
    if not url:
        folder = tempfile.TemporaryDirectory(prefix="studybot-bench-")
        url = f"sqlite+aiosqlite:///{Path(folder.name) / 'bench.db'}"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    return Database(engine, normalise_url(url).get_backend_name(), folder)


async def create_group(
    engine: AsyncEngine, members: int, *, chunk: int = 50_000
) -> tuple[int, list[int]]:
    """A new group with ``members`` members (bulk insert); returns its id and member ids."""
    async with engine.begin() as conn:
        group_id = (
            await conn.execute(
                insert(Group)
                .values(name=f"bench {time.time_ns()}", created_at=NOW)
                .returning(Group.id)
            )
        ).scalar_one()
        for first in range(0, members, chunk):
            rows = [
                {
                    "group_id": group_id,
                    "display_name": f"member{i}",
                    "timezone": None,
                    "hidden": False,
                    "reminders": False,
                    "created_at": NOW,
                }
                for i in range(first, min(members, first + chunk))
            ]
            await conn.execute(insert(Member), rows)
        ids = (
            await conn.execute(
                select(Member.id).where(Member.group_id == group_id).order_by(Member.id)
            )
        ).scalars()
        return group_id, list(ids)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]
