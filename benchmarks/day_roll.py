"""The first leaderboard view after midnight, with and without the background day roll.

One group of ``--members`` members and ``--checkins`` check-ins (as in
``benchmarks/leaderboard.py``). For ``--days`` simulated midnights in a row, alternating:
- **on the request path** (the baseline, how boards rolled before): the first view of the
  new day runs :func:`bot.db.repositories.board_roll.roll` itself, then reads the board;
- **in the background**: :class:`bot.features.checkins.day_roll.DayRoller` rolls the group
  just after midnight (timed separately), then the first view runs the same code as
  ``/leaderboard`` (``roll``, now one read, and the board read).
The first view is timed from the start of the view's transaction to its board page.

Run: ``.venv/bin/python benchmarks/day_roll.py [--quick]``. The last line is the summary,
e.g. ``day roll: first view p99=1.2ms (background roll) vs 210ms on the request path ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.ext.asyncio import async_sessionmaker

from benchmarks.checkin_setup import open_database, percentile
from benchmarks.leaderboard import TODAY, load
from bot.core.clock import FakeClock
from bot.db.repositories import board_roll
from bot.db.repositories.leaderboard import BoardSpec, read_board
from bot.features import all_setting_specs
from bot.features.checkins.day_roll import DayRoller


async def main() -> None:
    """Alternate request-path and background rolls over ``--days`` midnights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=100, help="midnights (half of each kind)")
    parser.add_argument("--quick", action="store_true", help="10k members, 100k check-ins")
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else temporary SQLite")
    args = parser.parse_args()
    if args.quick:
        args.members, args.checkins, args.days = 10_000, 100_000, 10
    db = await open_database(args.database_url)
    try:
        group_id, members = await load(db.engine, args.members, args.checkins)
        gc.collect()  # as the app does after start-up (bot.app.freeze_startup_objects)
        gc.freeze()
        sessions = async_sessionmaker(db.engine, expire_on_commit=False)
        noon = datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=12)
        async with sessions() as session, session.begin():
            await board_roll.roll(session, group_id, TODAY, noon)  # the figures exist
        clock = FakeClock(noon)
        roller = DayRoller(sessions, clock, all_setting_specs())
        on_request: list[float] = []
        background: list[float] = []
        rolls: list[float] = []
        for n in range(1, args.days + 1):
            day = TODAY + timedelta(days=n)
            midnight = datetime.combine(day, datetime.min.time(), UTC)
            in_background = n % 2 == 0
            if in_background:
                began = time.perf_counter()
                rolled = await roller.roll_due(midnight + timedelta(seconds=30))
                rolls.append((time.perf_counter() - began) * 1000)
                assert rolled == 1, "the roller should have rolled the group"
            view_at = midnight + timedelta(minutes=1)
            began = time.perf_counter()
            async with sessions() as session, session.begin():
                await board_roll.roll(session, group_id, day, view_at)
                spec = BoardSpec(group_id, "streak", "all", day)
                await read_board(session, spec, members[n % len(members)], limit=10)
            elapsed = (time.perf_counter() - began) * 1000
            (background if in_background else on_request).append(elapsed)
        fast, slow = percentile(background, 0.99), percentile(on_request, 0.99)
        print(
            f"background roll itself: p50={percentile(rolls, 0.5):.0f}ms "
            f"p99={percentile(rolls, 0.99):.0f}ms (off the request path)"
        )
        load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"day roll: first view p99={fast:.1f}ms (background roll, target <= 5 ms) vs "
            f"{slow:.0f}ms on the request path, ratio={slow / fast:.0f}x; {args.members} "
            f"members, {args.days} midnights, {db.label}; load average {load_avg} on "
            f"{os.cpu_count()} CPUs"
        )
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main())
