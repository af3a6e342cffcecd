"""Rotation draw cost: what the scheduler pays at a day boundary, on a real SQLite file.

Two measurements, each draw in its own transaction as the scheduler and ``/challenge`` do:

1. ``--groups`` groups (default 1000) each draw today's challenge: the burst at midnight.
2. One group draws ``--days`` days in a row (default 400, more than two full cycles of the
   192 shipped challenges), so the no-repeat lookup runs against a growing history.

Run: ``.venv/bin/python benchmarks/rotation.py [--groups 1000] [--days 400]``.
The last line is the summary, e.g.
``rotation: 1000 groups p50=1.1ms p99=2.9ms (880 draws/s); 1 group x 400 days p99=1.9ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import BUNDLED_CONTENT_DIR
from bot.content.rotation import challenge_for
from bot.content.store import ContentStore
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Group
from bot.db.repositories.rotation import RotationRepository

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values`` by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def timed_draw(
    sessions: async_sessionmaker[AsyncSession], store: ContentStore, group: int, day: date
) -> float:
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        await challenge_for(RotationRepository(session), store, group, day, "all", now=NOW)
    return time.perf_counter() - started


async def main(groups: int, days: int) -> str:
    store = ContentStore.from_dir(BUNDLED_CONTENT_DIR)
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            rows = [Group(name=f"group {i}", created_at=NOW) for i in range(groups)]
            session.add_all(rows)
            await session.flush()
            ids = [g.id for g in rows]
        started = time.perf_counter()
        burst = [await timed_draw(sessions, store, gid, DAY) for gid in ids]
        rate = len(burst) / (time.perf_counter() - started)
        history = [
            await timed_draw(sessions, store, ids[0], DAY + timedelta(days=i))
            for i in range(1, days + 1)
        ]
        await engine.dispose()
    ms = 1000
    print(f"burst: n={len(burst)} mean={statistics.mean(burst) * ms:.2f}ms")
    print(f"history: n={len(history)} mean={statistics.mean(history) * ms:.2f}ms")
    return (
        f"rotation: {groups} groups p50={percentile(burst, 0.5) * ms:.1f}ms "
        f"p99={percentile(burst, 0.99) * ms:.1f}ms ({rate:.0f} draws/s); "
        f"1 group x {days} days p99={percentile(history, 0.99) * ms:.1f}ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--days", type=int, default=400)
    options = parser.parse_args()
    print(asyncio.run(main(options.groups, options.days)))
