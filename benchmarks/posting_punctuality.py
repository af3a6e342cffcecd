"""Punctuality of scheduled posts through the real timer, and a 1,000-channel fan-out.

Runs the production scheduler (APScheduler ``AsyncIOScheduler`` timer, planner, ledger,
delivery with the default pacing of 40 requests/s for Discord) against the loopback
platform, on a SQLite file (or ``--database-url``). The clock runs at real speed but is
set a second before 09:00 of a new day for each wave, so every wave is a real 09:00 fire.

1. Punctuality: ``--waves`` waves of ``--groups`` channels; for each wave, the time from
   the planned 09:00 to the platform accepting the wave's first post. Target p99 <= 1 s.
2. Fan-out: one wave of ``--fanout`` channels; the time until the last post is accepted,
   against the pacing bound ceil(channels / 40) s, and the most posts accepted in any one
   second (must stay <= 40).

    .venv/bin/python -m benchmarks.posting_punctuality [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.loopback_platform import LoopbackAdapter, PlatformServer, ThreadedServer
from benchmarks.posting_setup import RealTimeClock, seed_channels
from bot.config import BUNDLED_CONTENT_DIR
from bot.content.store import ContentStore
from bot.core.messenger import Messenger
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.scheduling.delivery import Delivery
from bot.scheduling.pacing import Pacer, PacingPolicy
from bot.scheduling.posting import PostingDeps
from bot.scheduling.service import Scheduler, SchedulerConfig
from bot.scheduling.timer import ApsTimer

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEAD = 1.0  # seconds between arming a wave and its 09:00


async def _setup(url: str, channels: int) -> tuple[Scheduler, ThreadedServer, RealTimeClock, list]:  # type: ignore[type-arg]
    engine = create_engine(url)
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    await seed_channels(sessions, channels, since=DAY0 - timedelta(hours=9))
    server = ThreadedServer(PlatformServer())
    url = await server.start()
    adapter = LoopbackAdapter(url)
    await adapter.start()
    messenger = Messenger()
    messenger.register(adapter)
    clock = RealTimeClock(DAY0 - timedelta(days=1), time.time())
    deps = PostingDeps(
        sessions=sessions,
        clock=clock,
        content=ContentStore.from_dir(BUNDLED_CONTENT_DIR),
        delivery=Delivery(messenger, Pacer(PacingPolicy())),
        owner="bench",
        platforms=messenger.platforms,
    )
    timer = ApsTimer(clock)
    scheduler = Scheduler(deps, timer, SchedulerConfig(heal_every=None))
    await timer.start()
    return scheduler, server, clock, [engine, adapter, timer]


async def _wave(
    scheduler: Scheduler, server: ThreadedServer, clock: RealTimeClock, day: int, size: int
) -> tuple[float, float, list[float]]:
    """Arm every channel for 09:00 of ``day`` one second from now; wait for all posts."""
    label = (DAY0 + timedelta(days=day)).date().isoformat()
    planned = time.time() + LEAD
    clock.rebase(DAY0 + timedelta(days=day), planned)
    await scheduler.rebuild()  # re-plans every group from the database: next run 09:00
    messages = server.server.messages
    await server.wait_for(lambda: sum(1 for m in messages if m.day == label) >= size)
    await scheduler.wait_idle()  # the jobs record their outcomes before the next wave
    accepted = sorted(m.accepted_at for m in messages if m.day == label)
    return accepted[0] - planned, accepted[-1] - planned, accepted


def _p(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def punctuality(url: str, waves: int, groups: int) -> list[float]:
    scheduler, server, clock, closers = await _setup(url, groups)
    try:
        firsts = []
        for day in range(waves):
            first, _, _ = await _wave(scheduler, server, clock, day, groups)
            firsts.append(first)
        return firsts
    finally:
        await _close(server, closers)


def _busiest_second(times: list[float]) -> int:
    ordered = sorted(times)
    return max(
        (sum(1 for t in ordered[i:] if t < start + 1.0) for i, start in enumerate(ordered)),
        default=0,
    )


async def fan_out(url: str, channels: int) -> tuple[float, int, int]:
    scheduler, server, clock, closers = await _setup(url, channels)
    try:
        _, last, accepted = await _wave(scheduler, server, clock, 0, channels)
        adapter = closers[1]
        return last, _busiest_second(adapter.request_times), _busiest_second(accepted)
    finally:
        await _close(server, closers)


async def _close(server: ThreadedServer, closers: list) -> None:  # type: ignore[type-arg]
    engine, adapter, timer = closers
    await timer.stop()
    await adapter.stop()
    await server.stop()
    await engine.dispose()


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Punctuality and fan-out of scheduled posts.")
    parser.add_argument("--quick", action="store_true", help="10 waves, 200-channel fan-out")
    parser.add_argument("--waves", type=int, default=30)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--fanout", type=int, default=1000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args(argv)
    if args.quick:
        args.waves, args.fanout = 10, 200
    with tempfile.TemporaryDirectory() as folder:

        def url(name: str) -> str:
            return args.database_url or f"sqlite+aiosqlite:///{Path(folder) / name}"

        firsts = await punctuality(url("waves.db"), args.waves, args.groups)
        if args.database_url:
            print("fan-out needs an empty database; run it with the default SQLite file")
            return 0
        last, busiest_sent, busiest_arrived = await fan_out(url("fanout.db"), args.fanout)
    bound = math.ceil(args.fanout / PacingPolicy().discord_global.per_second)
    print(
        f"punctuality: {args.waves} waves x {args.groups} channels, first post after the planned "
        f"time p50={_p(firsts, 50):.3f}s p99={_p(firsts, 99):.3f}s max={max(firsts):.3f}s"
    )
    print(
        f"posting: first-post p99={_p(firsts, 99):.2f}s (target <= 1 s); fan-out of "
        f"{args.fanout} channels in {last:.1f}s (pacing bound {bound} s at 40/s), "
        f"busiest second {busiest_sent} sent / {busiest_arrived} arrived (Discord allows 50)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
