"""Leaderboards over 1,000,000 check-ins and 100,000 members: every board, top-10 + rank.

Builds one group with ``--members`` members and ``--checkins`` check-ins over a year (a
realistic mix: many members who tried it once or twice, casual ones, regulars, and a few
who check in nearly every day), the members' statistics replayed with the real streak
engine, and the weekly/monthly counts; bulk-loaded (``executemany`` on SQLite, ``COPY`` on
PostgreSQL). Then the first board view of the day builds the day-dependent figures
(reported), and every ``by``/``period`` combination is read ``--runs`` times as the
production ``/leaderboard`` reads it (:func:`bot.db.repositories.leaderboard.read_board`:
top-10 plus a random caller's rank and the board size), timing the database calls.

The baseline is a plain GROUP BY over the raw check-ins (top-10 by check-ins, all time and
last 30 days) in the same run on the same data.

Run: ``.venv/bin/python benchmarks/leaderboard.py [--quick]`` (SQLite in a temporary
folder; ``DATABASE_URL=postgresql://postgres@127.0.0.1/test`` for PostgreSQL). The last line
is the summary, e.g. ``leaderboard: worst p99=2.1ms over 12 queries, groupby p99=71ms
ratio=34x``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from benchmarks.checkin_setup import create_group, open_database, percentile
from bot.db.models import CheckIn
from bot.db.repositories import board_roll
from bot.db.repositories.leaderboard import BY, PERIODS, BoardSpec, read_board
from bot.features.checkins.figures import stats_row
from bot.streaks import CheckInDay, StreakPolicy, replay

TODAY = date(2026, 3, 2)
DAYS = 365
POLICY = StreakPolicy()
_STATS_COLUMNS = (
    "member_id, group_id, run, run_end, alive_until, longest, total, freezes, progress, "
    "freezes_used, last_at, last_tz, hidden, updated_at, last_day, live_run"
)


def member_days(rng: random.Random) -> list[int]:
    """Day numbers (0 = a year ago) one member checked in: a mix of engagement levels."""
    kind, join = rng.random(), rng.randrange(DAYS)
    if kind < 0.55:  # tried it a few times
        tried: set[int] = set()
        day = join
        for _ in range(rng.randint(1, 4)):
            tried.add(day)
            day += rng.randint(1, 3)
        return sorted(d for d in tried if d < DAYS)
    if kind < 0.89:
        keep, start, life = 0.45, 0.1, rng.randint(10, 50)
    elif kind < 0.98:
        keep, start, life = 0.8, 0.3, rng.randint(30, 150)
    else:
        keep, start, life = 0.96, 0.7, DAYS
    days: list[int] = []
    yesterday = False
    for day in range(join, min(DAYS, join + life)):
        yesterday = rng.random() < (keep if yesterday else start)
        if yesterday:
            days.append(day)
    return days


def histories(members: int, checkins: int, seed: int = 7) -> Iterator[list[date]]:
    """Each member's check-in dates, scaled so that the total is exactly ``checkins``."""
    rng = random.Random(seed)
    drawn = [member_days(rng) for _ in range(members)]
    total = sum(len(days) for days in drawn)
    first = TODAY - timedelta(days=DAYS - 1)
    # Thin or repeat members' histories until the total matches exactly.
    scale, left = checkins / total, checkins
    for index, days in enumerate(drawn):
        want = min(len(days), round(len(days) * scale)) if scale < 1 else len(days)
        if index == len(drawn) - 1 or want > left:
            want = min(left, len(days)) if index < len(drawn) - 1 else left
        kept = days[len(days) - want :] if want <= len(days) else days
        while len(kept) < want:  # only the last member, only if short: extend backwards
            kept = [kept[0] - 1, *kept] if kept and kept[0] > 0 else [*kept, DAYS - 1]
        left -= len(kept)
        yield [first + timedelta(days=d) for d in kept]


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


async def load(engine: AsyncEngine, members: int, checkins: int) -> tuple[int, list[int]]:
    """The group, its check-ins and replayed statistics (bulk-loaded).

    The figures of the board day (windowed counts, score counts) are left to the first
    board view, which is timed separately.
    """
    group_id, ids = await create_group(engine, members)
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    rows: list[tuple[object, ...]] = []
    stats: list[tuple[object, ...]] = []
    for member_id, days in zip(ids, histories(members, checkins), strict=True):
        if not days:
            continue
        history = [CheckInDay(d, noon, "UTC") for d in days]
        state = replay(history, POLICY)
        row = stats_row(
            member_id,
            group_id,
            member_id % 50 == 0,
            state,
            policy=POLICY,
            excused=frozenset(),
            board_day=None,
            last_day=days[-1],
            recent=0,
        )
        stats.append(
            (
                member_id,
                group_id,
                state.run,
                state.run_end,
                row.alive_until,
                state.longest,
                state.total,
                state.freezes,
                state.progress,
                state.freezes_used,
                state.last_at,
                state.last_tz,
                row.hidden,
                noon,
                row.last_day,
                row.live_run,
            )
        )
        rows.extend((member_id, group_id, day, noon, "UTC", "console") for day in days)
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await _copy(conn, rows, stats)
        else:
            await _executemany(conn, rows, stats)
    return group_id, ids


async def _executemany(
    conn: AsyncConnection, rows: list[tuple[object, ...]], stats: list[tuple[object, ...]]
) -> None:
    """SQLite: one ``executemany`` per table, values in SQLAlchemy's storage formats."""
    await conn.exec_driver_sql(
        "INSERT INTO checkins (member_id, group_id, local_date, checked_at, timezone, platform) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(m, g, _day(d), _ts(at), tz, p) for m, g, d, at, tz, p in rows],  # type: ignore[arg-type]
    )
    await conn.exec_driver_sql(
        f"INSERT INTO member_stats ({_STATS_COLUMNS}) VALUES ({', '.join('?' * 16)})",
        [
            tuple(
                _day(v)
                if isinstance(v, date) and not isinstance(v, datetime)
                else _ts(v)
                if isinstance(v, datetime)
                else v
                for v in row
            )
            for row in stats
        ],
    )


async def _copy(
    conn: AsyncConnection, rows: list[tuple[object, ...]], stats: list[tuple[object, ...]]
) -> None:
    """PostgreSQL: ``COPY`` through asyncpg."""
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    await raw.copy_records_to_table(
        "checkins",
        records=rows,
        columns=["member_id", "group_id", "local_date", "checked_at", "timezone", "platform"],
    )
    await raw.copy_records_to_table(
        "member_stats", records=stats, columns=[c.strip() for c in _STATS_COLUMNS.split(",")]
    )
    await conn.exec_driver_sql("ANALYZE")


async def _groupby_queries(conn: AsyncConnection, group_id: int) -> list[tuple[str, object]]:
    """Plain GROUP BYs over the raw rows.

    The group's board (all time, last 30 days) and, when the database holds only this
    group, all rows, which can use the covering (member, date) unique index.
    """

    def board(since: date | None, by_group: bool = True) -> object:
        query = select(CheckIn.member_id, func.count().label("n"))
        if by_group:
            query = query.where(CheckIn.group_id == group_id)
        if since is not None:
            query = query.where(CheckIn.local_date >= since)
        return query.group_by(CheckIn.member_id).order_by(text("n DESC")).limit(10)

    variants = [
        ("all, WHERE group_id", board(None)),
        ("30d, WHERE group_id", board(TODAY - timedelta(days=29))),
    ]
    groups = (await conn.execute(select(func.count(func.distinct(CheckIn.group_id))))).scalar()
    if groups == 1:
        variants.append(("all rows (covering index)", board(None, by_group=False)))
    return variants


async def _fetch_all(conn: AsyncConnection, query: object) -> None:
    (await conn.execute(query)).all()  # type: ignore[call-overload]


async def timed(call: object) -> float:
    started = time.perf_counter()
    await call  # type: ignore[misc]
    return (time.perf_counter() - started) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k members, 100k check-ins")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200, help="reads per board")
    parser.add_argument("--groupby-runs", type=int, default=20)
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else temporary SQLite")
    args = parser.parse_args()
    if args.quick:
        args.members, args.checkins, args.runs, args.groupby_runs = 10_000, 100_000, 50, 5
    db = await open_database(args.database_url)
    try:
        started = time.perf_counter()
        group_id, members = await load(db.engine, args.members, args.checkins)
        print(
            f"{db.label}: loaded {args.members} members, {args.checkins} check-ins "
            f"in {time.perf_counter() - started:.1f}s"
        )
        now = datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=12)
        async with db.engine.begin() as conn:
            build = await timed(board_roll.roll(conn, group_id, TODAY, now))
        async with db.engine.begin() as conn:
            tomorrow = await timed(board_roll.roll(conn, group_id, TODAY + timedelta(days=1), now))
        async with db.engine.begin() as conn:  # back to the benchmark's day for the reads
            await conn.execute(text("UPDATE board_state SET day = NULL"))
            await board_roll.roll(conn, group_id, TODAY, now)
        print(f"first build of the day figures {build:.0f}ms; next day's roll {tomorrow:.0f}ms")
        rng = random.Random(11)
        worst = 0.0
        gc.collect()  # as the app does after start-up (bot.app.freeze_startup_objects)
        gc.freeze()
        async with db.engine.connect() as conn:
            for by in BY:  # warm-up: statement caches, page cache
                for period in PERIODS:
                    for _ in range(5):
                        spec = BoardSpec(group_id, by, period, TODAY)
                        await read_board(conn, spec, rng.choice(members), limit=10)
            for by in BY:
                for period in PERIODS:
                    spec = BoardSpec(group_id, by, period, TODAY)
                    times = [
                        await timed(read_board(conn, spec, rng.choice(members), limit=10))
                        for _ in range(args.runs)
                    ]
                    p99 = percentile(times, 0.99)
                    worst = max(worst, p99)
                    page = await read_board(conn, spec, members[0], limit=10)
                    print(
                        f"  {by:8s} {period:5s} p50={percentile(times, 0.5):.2f}ms "
                        f"p99={p99:.2f}ms max={max(times):.2f}ms  (board size {page.size})"
                    )
            # Past the head (board_top keeps the first 250-500 places): such a page sorts
            # the group's rows. Rare (the 41st page of 25), so not in the summary line.
            for by, period in (("checkins", "all"), ("longest", "all"), ("streak", "all")):
                spec = BoardSpec(group_id, by, period, TODAY)
                deep = [
                    await timed(read_board(conn, spec, rng.choice(members), limit=25, offset=1000))
                    for _ in range(20)
                ]
                print(
                    f"  {by:8s} {period:5s} page at rank 1001 (past the head): "
                    f"p50={percentile(deep, 0.5):.1f}ms p99={percentile(deep, 0.99):.1f}ms"
                )
            variants = await _groupby_queries(conn, group_id)
            groupby_p99 = math.inf
            for label, query in variants:
                await conn.execute(query)  # warm-up, as for the boards
                times = [await timed(_fetch_all(conn, query)) for _ in range(args.groupby_runs)]
                print(
                    f"  GROUP BY top-10 by check-ins, {label}: "
                    f"p50={percentile(times, 0.5):.1f}ms p99={percentile(times, 0.99):.1f}ms"
                )
                if label.startswith("all"):
                    # The ratio uses the fastest plain GROUP BY of the whole board.
                    groupby_p99 = min(groupby_p99, percentile(times, 0.99))
        print(
            f"leaderboard: worst p99={worst:.1f}ms over {len(BY) * len(PERIODS)} queries, "
            f"groupby p99={groupby_p99:.0f}ms ratio={groupby_p99 / worst:.0f}x"
        )
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
