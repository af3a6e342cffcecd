"""How much of a check-in batch's SQLite time did the six score indexes cost?

Issue 17 asks for 20,000 check-ins/s on two cores; SQLite's thread spent most of its time
on ``member_stats`` writes and the commit. Migration 0002's six ``ix_member_stats_rank_*``
indexes were ordered ``(group_id, hidden, score, last_day, member_id)``: a batch's members
are random ids, so their entries land on random leaf pages of every index, and the commit
writes nearly every leaf page of each (about 1,000 WAL frames per 500-member batch).
Migration 0010 replaced them with the boards' heads (``board_top``).

This measures the real ``member_stats`` table, the real migrations and the writer's real
save path (:func:`bot.db.repositories.stats.save`, one transaction per batch; the heads'
own writes are not in it), three times:

- ``member_id``: 0002's six indexes, recreated;
- ``last_at``: the same six indexes with the member's last check-in time as the tie
  order instead of ``member_id`` (a candidate that was not adopted): a batch's entries
  then go at the end of their score's entries for today;
- ``none``: the shipped schema (0010), without score indexes.

Each variant writes two days: day 1, every member's first check-in (rows inserted); day 2,
every member again in another random order (rows updated: each index entry moves, so it
is also deleted from wherever day 1 put it). Printed per row: the SQLite time of the save
and of the commit, the WAL frames per commit, and each variant's ratio to ``none``.

Run: ``.venv/bin/python benchmarks/sqlite_index_locality.py [--members 30000]``
(about 15 s).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.checkin_setup import NOW, create_group, open_database
from bot.db.repositories import stats
from bot.db.repositories.stats_row import StatsRow
from bot.streaks import StreakState

BATCH = 512
RANKS = {
    "ix_member_stats_rank_streak": "live_run",
    "ix_member_stats_rank_longest": "longest",
    "ix_member_stats_rank_total": "total",
    "ix_member_stats_rank_recent": "recent",
    "ix_member_stats_rank_week": "week_n",
    "ix_member_stats_rank_month": "month_n",
}


async def _retie(engine: AsyncEngine, tie: str) -> None:
    """Create the six score indexes with ``tie`` as their last column."""
    async with engine.begin() as connection:
        for name, score in RANKS.items():
            await connection.exec_driver_sql(
                f"CREATE INDEX {name} ON member_stats (group_id, hidden, {score}, last_day, {tie})"
            )


def _row(group_id: int, member_id: int, day: int, at_offset: int) -> StatsRow:
    """A member's figures after ``day`` consecutive daily check-ins (1 or 2)."""
    at = NOW + timedelta(days=day - 1, microseconds=at_offset)
    last_day = at.date()
    state = StreakState(
        run=day, run_end=last_day, longest=day, total=day, last_at=at, last_tz="UTC"
    )
    return StatsRow(
        member_id, group_id, False, state, last_day, last_day, day, day, day, day, stored=day > 1
    )


WAL_HEADER, FRAME_HEADER = 32, 24


async def _empty_log(engine: AsyncEngine) -> int:
    """Checkpoint everything and truncate the log (its size then counts the frames after);
    returns the page size."""
    async with engine.connect() as connection:
        (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).all()
        return int((await connection.exec_driver_sql("PRAGMA page_size")).scalar_one())


def _frames(engine: AsyncEngine, page_size: int) -> int:
    size = Path(f"{engine.url.database}-wal").stat().st_size
    return max(0, size - WAL_HEADER) // (page_size + FRAME_HEADER)


async def _day(
    engine: AsyncEngine, group_id: int, members: list[int], day: int
) -> tuple[float, float, int]:
    """Write one day's rows in batches; (save µs per row, commit µs per row, frames)."""
    page_size = await _empty_log(engine)
    order = members[:]
    random.Random(day).shuffle(order)
    saving = committing = 0.0
    async with engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA cache_size=-65536")
        await connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        await connection.commit()
        for first in range(0, len(order), BATCH):
            chunk = order[first : first + BATCH]
            # Check-in times follow the batch order (the order callers were answered in).
            rows = [_row(group_id, m, day, first + k) for k, m in enumerate(chunk)]
            new = None if day > 1 else {row.member_id for row in rows}
            started = time.perf_counter()
            # As the writer does: one SQLAlchemy transaction (it commits the driver's).
            transaction = await connection.begin()
            await stats.save(connection, rows, NOW, new=new, moved=False)
            saved = time.perf_counter()
            await transaction.commit()
            saving += saved - started
            committing += time.perf_counter() - saved
        # No checkpoint ran (wal_autocheckpoint=0 here, and nothing else is connected), so
        # the log holds every frame the day's commits wrote.
        frames = _frames(engine, page_size)
    count = len(order)
    return saving / count * 1e6, committing / count * 1e6, frames


async def _variant(tie: str, members_count: int) -> list[tuple[float, float, float]]:
    db = await open_database(None)
    try:
        group_id, members = await create_group(db.engine, members_count)
        if tie != "none":
            await _retie(db.engine, tie)
        figures: list[tuple[float, float, float]] = []
        for day in (1, 2):
            save, commit, frames = await _day(db.engine, group_id, members, day)
            per_commit = frames / -(-members_count // BATCH)
            figures.append((save, commit, per_commit))
            print(
                f"tie={tie:9s} day {day} ({'insert' if day == 1 else 'update'}): "
                f"save {save:5.1f} µs/row, commit {commit:5.1f} µs/row, "
                f"{per_commit:5.0f} WAL frames per commit of {BATCH}"
            )
        return figures
    finally:
        await db.close()


async def main() -> None:
    """The variants, alternated ``--rounds`` times; the ratios of the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[list[tuple[float, float, float]]]] = {
        "member_id": [],
        "last_at": [],
        "none": [],
    }
    for _ in range(args.rounds):
        for tie in results:
            results[tie].append(await _variant(tie, args.members))
    for day in (0, 1):
        totals = {
            tie: median(run[day][0] + run[day][1] for run in runs) for tie, runs in results.items()
        }
        shipped = totals["none"]
        print(
            f"day {day + 1}: save+commit {shipped:.1f} µs/row without score indexes (0010); "
            f"0002's indexes {totals['member_id']:.1f} ({totals['member_id'] / shipped:.2f}x), "
            f"with a last_at tie {totals['last_at']:.1f} ({totals['last_at'] / shipped:.2f}x)"
        )


if __name__ == "__main__":
    asyncio.run(main())
