"""Check-in burst: group commit against one transaction per check-in, same run, same data.

``--members`` members of one group check in for today through ``--concurrency`` concurrent
callers: their first check-in, or with ``--returning`` the day after one (every check-in
then extends a streak and updates a stored row: the everyday case; the baseline's members
too). Plus ``--duplicates`` (a fraction) of second check-ins for the same day sent at the
same time (the "second /done" case). Every call goes through the production check-in
writer (:class:`bot.features.checkins.writer.CheckinWriter`): queue, one transaction per
batch, each caller answered only after its batch committed, with every derived figure
(``member_stats``, weekly/monthly counts, score counts) written in that transaction.

The baseline is the usual design, measured in the same run on the same database with the
same concurrency: each check-in in its own ORM transaction (insert the row, read and
update the member's stats with the same streak engine), on fresh members.

Afterwards the rows are counted: ``lost`` is acknowledged-as-counted check-ins missing
from the table, ``duplicated`` is rows beyond one per (member, day) plus any second
``/done`` acknowledged as counted. Stats totals must equal the row counts.

Run: ``.venv/bin/python benchmarks/checkins.py [--quick]`` (SQLite in a temporary folder;
``DATABASE_URL=postgresql://postgres@127.0.0.1/test`` for PostgreSQL). The last line is the
summary, e.g. ``checkins: 12000/s p99=31ms baseline=1400/s ratio=8.6x lost=0 duplicated=0``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import random
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.checkin_setup import NOW, create_group, open_database, percentile
from bot.core.clock import FakeClock
from bot.db.engine import create_session_factory
from bot.db.models import CheckIn, MemberStats
from bot.db.repositories.checkins import NewCheckin
from bot.features.checkins.recording import CheckinRequest, Status
from bot.features.checkins.writer import CheckinWriter
from bot.streaks import CheckInDay, StreakPolicy, StreakState, apply

POLICY = StreakPolicy()
TODAY = NOW.date()
YESTERDAY = TODAY - timedelta(days=1)
WARM_UP = 1_000


def _request(group_id: int, member_id: int, day: date) -> CheckinRequest:
    at = NOW - (TODAY - day)  # yesterday's check-in was made yesterday
    return CheckinRequest(NewCheckin(member_id, group_id, day, at, "UTC", "console"), POLICY)


async def _burst(
    calls: Sequence[Callable[[], Awaitable[object]]], concurrency: int
) -> tuple[float, list[float], list[object]]:
    """Run ``calls`` with ``concurrency`` callers; elapsed seconds, latencies, results."""
    queue = list(reversed(calls))
    latencies: list[float] = []
    results: list[object] = []

    async def caller() -> None:
        while queue:
            call = queue.pop()
            started = time.perf_counter()
            results.append(await call())
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, results


async def group_commit(
    engine: AsyncEngine,
    group_id: int,
    members: list[int],
    duplicates: float,
    concurrency: int,
    max_batch: int | None = None,
    lanes: int | None = None,
) -> tuple[float, list[float], int, set[tuple[int, date]]]:
    """The burst through the writer; returns rate, latencies, second-/done count, acked keys."""
    writer = CheckinWriter(engine, FakeClock(NOW), max_batch=max_batch, lanes=lanes)
    await writer.start()
    # Warm-up on other members (the writer of a running bot is long-lived): statement
    # caches, the connection's page cache.
    warm, members = members[:WARM_UP], members[WARM_UP:]
    await asyncio.gather(*(writer.submit(_request(group_id, m, TODAY)) for m in warm))
    batches_before = writer.batches
    rng = random.Random(1)
    wanted = [_request(group_id, m, TODAY) for m in members]
    wanted += [
        _request(group_id, m, TODAY) for m in rng.sample(members, int(len(members) * duplicates))
    ]
    rng.shuffle(wanted)

    async def call(request: CheckinRequest) -> tuple[Status, int, date]:
        # Keep only what the checks need: holding 30k full results would make the
        # garbage collector, not the writer, the bottleneck of this process.
        result = await writer.submit(request)
        return result.status, result.after.member_id, result.day

    calls = [lambda r=r: call(r) for r in wanted]
    gc.collect()  # as the app does after start-up (bot.app.freeze_startup_objects)
    gc.freeze()
    cpu, threads = time.process_time(), thread_cpu()
    elapsed, latencies, results = await _burst(calls, concurrency)
    cpu, threads = time.process_time() - cpu, thread_cpu(since=threads)
    await writer.stop()
    answers: list[tuple[Status, int, date]] = results  # type: ignore[assignment]
    counted = [answer for answer in answers if answer[0] is Status.COUNTED]
    acked = {(member, day) for _, member, day in counted}
    doubly = len(counted) - len(acked)
    print(
        f"group commit: {len(results)} answered in {elapsed:.2f}s, {len(counted)} counted, "
        f"{len(results) - len(counted)} 'already counted'; "
        f"{writer.batches - batches_before} batches, largest {writer.largest_batch}; "
        # This process's CPU (all its threads) per answer: with 2 cores, near the elapsed
        # time per answer means this process, not the database server, is the limit.
        f"process CPU {cpu / len(results) * 1e6:.0f} µs per answer "
        f"({cpu / elapsed:.0%} of the elapsed time)"
    )
    if threads:
        # The event loop against SQLite's threads (aiosqlite runs each connection's
        # statements on a thread of its own): their sum near the elapsed time per answer
        # means they take turns.
        busy = sorted(threads.items(), key=lambda item: -item[1])
        print(
            "threads: "
            + ", ".join(
                f"{name} {seconds / len(results) * 1e6:.1f} µs"
                for name, seconds in busy
                if seconds / len(results) >= 0.5e-6
            )
            + f" per answer; elapsed {elapsed / len(results) * 1e6:.1f} µs per answer"
        )
    return len(results) / elapsed, latencies, doubly, acked


def thread_cpu(since: dict[str, float] | None = None) -> dict[str, float]:
    """CPU seconds of each of this process's threads (Linux; empty elsewhere).

    With ``since``, the time each thread used after that reading instead.
    """
    found: dict[str, float] = {}
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return found
    tick = os.sysconf("SC_CLK_TCK")
    names = {thread.native_id: thread.name for thread in threading.enumerate()}
    for task in tasks.iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        native = int(task.name)
        name = "loop" if native == threading.main_thread().native_id else names.get(native, "")
        name = name.replace("(_connection_worker_thread)", "(aiosqlite)")
        label = f"{name or 'thread'} [{native}]"
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        found[label] = used - (since or {}).get(label, 0.0)
    return found


async def check_in_yesterday(engine: AsyncEngine, group_id: int, members: list[int]) -> None:
    """Give every member a check-in for yesterday (``--returning``), through a writer."""
    writer = CheckinWriter(engine, FakeClock(NOW))
    await writer.start()
    await asyncio.gather(*(writer.submit(_request(group_id, m, YESTERDAY)) for m in members))
    await writer.stop()


async def baseline(
    engine: AsyncEngine, group_id: int, members: list[int], concurrency: int
) -> tuple[float, list[float]]:
    """One ORM transaction per check-in: insert the row, read-modify-write the stats."""
    sessions = create_session_factory(engine)

    async def one(member_id: int) -> str:
        async with sessions() as session:
            try:
                async with session.begin():
                    checkin = CheckIn(
                        member_id=member_id,
                        group_id=group_id,
                        local_date=TODAY,
                        checked_at=NOW,
                        timezone="UTC",
                        platform="console",
                    )
                    session.add(checkin)
                    await session.flush()
                    stats = await session.get(MemberStats, member_id)
                    state = (
                        StreakState()
                        if stats is None
                        else StreakState(
                            run=stats.run,
                            run_end=stats.run_end,
                            longest=stats.longest,
                            total=stats.total,
                            freezes=stats.freezes,
                            progress=stats.progress,
                            freezes_used=stats.freezes_used,
                            last_at=stats.last_at,
                            last_tz=stats.last_tz,
                        )
                    )
                    state = apply(state, CheckInDay(TODAY, NOW, "UTC"), POLICY)
                    if stats is None:
                        stats = MemberStats(member_id=member_id, group_id=group_id, hidden=False)
                        session.add(stats)
                    stats.run, stats.run_end, stats.longest = (
                        state.run,
                        state.run_end,
                        state.longest,
                    )
                    stats.total, stats.freezes, stats.progress = (
                        state.total,
                        state.freezes,
                        state.progress,
                    )
                    stats.freezes_used, stats.last_at, stats.last_tz = (
                        state.freezes_used,
                        state.last_at,
                        state.last_tz,
                    )
                    stats.last_day, stats.live_run, stats.updated_at = TODAY, state.run, NOW
            except IntegrityError:
                return "already"
        return "counted"

    calls = [lambda m=m: one(m) for m in members]
    elapsed, latencies, _ = await _burst(calls, concurrency)
    print(f"baseline: {len(members)} check-ins in {elapsed:.2f}s (one ORM transaction each)")
    return len(members) / elapsed, latencies


async def verify(
    engine: AsyncEngine, group_id: int, acked: set[tuple[int, date]]
) -> tuple[int, int]:
    """``(lost, duplicated)`` rows after the burst, and the stats agree with the rows."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(CheckIn.member_id, CheckIn.local_date).where(CheckIn.group_id == group_id)
            )
        ).all()
        totals = (
            await conn.execute(
                select(func.coalesce(func.sum(MemberStats.total), 0)).where(
                    MemberStats.group_id == group_id
                )
            )
        ).scalar_one()
    keys = {(m, d) for m, d in rows}
    if int(totals) != len(rows):
        print(f"WARNING: member_stats totals {totals} != {len(rows)} rows")
    return len(acked - keys), len(rows) - len(keys)


def _write_profile(profiler: cProfile.Profile, path: Path, label: str) -> None:
    """The burst's profile, by own time and by cumulative time (what the writer calls)."""
    out = io.StringIO()
    out.write(f"# cProfile of the group-commit burst ({label}); main thread only\n")
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(r"recording|writer|repositories|awards", 30)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue())
    print(f"profile written to {path}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (seconds)")
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--baseline", type=int, default=5_000, help="check-ins in the baseline")
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else temporary SQLite")
    parser.add_argument(
        "--max-batch", type=int, help="the writer's batch cap (default: as in the app)"
    )
    parser.add_argument(
        "--lanes", type=int, help="batches in flight at once (default: as in the app)"
    )
    parser.add_argument(
        "--returning",
        action="store_true",
        help="every member checked in yesterday too (each check-in then updates a stored row)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="write a cProfile summary of the group-commit burst (main thread) to this file",
    )
    args = parser.parse_args()
    if args.quick:
        args.members, args.baseline = 3_000, 1_000
    db = await open_database(args.database_url)
    try:
        group_id, members = await create_group(db.engine, WARM_UP + args.members + args.baseline)
        burst, rest = members[: WARM_UP + args.members], members[WARM_UP + args.members :]
        if args.returning:
            await check_in_yesterday(db.engine, group_id, burst[WARM_UP:] + rest)
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        rate, latencies, doubly, acked = await group_commit(
            db.engine,
            group_id,
            burst,
            args.duplicates,
            args.concurrency,
            args.max_batch,
            args.lanes,
        )
        if profiler is not None:
            profiler.disable()
            _write_profile(profiler, args.profile, db.label)
        base_rate, base_latencies = await baseline(db.engine, group_id, rest, args.concurrency)
        lost, extra_rows = await verify(db.engine, group_id, acked | {(m, TODAY) for m in rest})
        p99 = percentile(latencies, 0.99) * 1000
        print(
            f"{db.label}: group commit p50={percentile(latencies, 0.5) * 1000:.1f}ms "
            f"p99={p99:.1f}ms max={max(latencies) * 1000:.1f}ms; baseline "
            f"p50={percentile(base_latencies, 0.5) * 1000:.1f}ms "
            f"p99={percentile(base_latencies, 0.99) * 1000:.1f}ms; concurrency {args.concurrency}"
        )
        print(
            f"checkins: {rate:.0f}/s p99={p99:.0f}ms baseline={base_rate:.0f}/s "
            f"ratio={rate / base_rate:.1f}x lost={lost} duplicated={doubly + extra_rows}"
        )
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
