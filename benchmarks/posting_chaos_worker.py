"""One bot instance of the chaos run: the real ledger, posting and delivery code.

Reads commands on standard input (``day D T`` runs day ``D`` whose 09:00 post is due at
real time ``T``; ``quit`` ends), answers ``ready`` and ``done D {stats}`` on standard output.
Crashes are injected three ways: an exception that escapes every handler (the task dies
with the ledger row left claimed or sending, as if the process had died) after the claim,
before the request or after the platform stored the message; and, now and then, a hard
``os._exit`` of the whole process in the middle of the fan-out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from benchmarks.loopback_platform import LoopbackAdapter
from benchmarks.posting_setup import RealTimeClock
from bot.config import BUNDLED_CONTENT_DIR
from bot.content.store import ContentStore
from bot.core.messenger import Messenger
from bot.core.models import Destination
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Post
from bot.scheduling.config import load_schedules
from bot.scheduling.delivery import Delivery, RetryPolicy
from bot.scheduling.model import PostKind, PostStatus
from bot.scheduling.pacing import Pacer, PacingPolicy, Rate
from bot.scheduling.posting import PostingDeps
from bot.scheduling.service import Scheduler
from bot.scheduling.timer import SimulatedTimer

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FINAL = [
    s.value
    for s in PostStatus
    if s not in (PostStatus.CLAIMED, PostStatus.SENDING, PostStatus.RETRY)
]


class InjectedCrash(BaseException):
    """Escapes ``except Exception`` everywhere: the post's task dies mid-way."""


class Chaos:
    """Decides where this process crashes."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.random = random.Random(args.seed)
        self.p = args.crash
        self.kill_rate = args.kill
        self.injected = 0
        self.kill_at: tuple[int, str] | None = None
        self.requests = 0
        self.first_request = 0.0

    def new_day(self, expected_requests: int) -> None:
        self.requests = 0
        self.kill_at = None
        if self.random.random() < self.kill_rate:
            where = self.random.choice(["before", "after"])
            self.kill_at = (self.random.randint(1, max(1, expected_requests)), where)

    def maybe_crash(self, where: str) -> None:
        if self.kill_at is not None and self.kill_at == (self.requests, where):
            sys.stdout.flush()
            os._exit(17)  # the whole process dies, nothing cleaned up
        if self.random.random() < self.p:
            self.injected += 1
            raise InjectedCrash(where)

    def before_request(self, _destination: Destination, _key: str | None) -> None:
        if self.requests == 0:
            self.first_request = time.time()
        self.requests += 1
        self.maybe_crash("before")

    def after_response(self, _destination: Destination, _key: str | None) -> None:
        self.maybe_crash("after")


class ChaosDelivery(Delivery):
    """Delivery that may die between the claim and the first attempt."""

    chaos: Chaos

    async def send(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.chaos.maybe_crash("claimed")
        return await super().send(*args, **kwargs)


async def _final_count(scheduler: Scheduler, day: int) -> int:
    local = (DAY0 + timedelta(days=day)).date()
    async with scheduler.deps.sessions() as session:
        query = select(func.count()).where(Post.local_date == local, Post.status.in_(FINAL))
        return int((await session.execute(query)).scalar_one())


async def run_day(
    scheduler: Scheduler,
    clock: RealTimeClock,
    chaos: Chaos,
    args: argparse.Namespace,
    day: int,
    at: float,
) -> dict[str, int]:
    clock.rebase(DAY0 + timedelta(days=day), at)
    chaos.new_day(args.channels // max(1, args.workers))
    async with scheduler.deps.sessions() as session:
        group_ids = [s.group_id for s in await load_schedules(session)]
    await asyncio.sleep(max(0.0, at - time.time()))
    crashed = 0

    async def one(group_id: int) -> None:
        nonlocal crashed
        try:  # what the timer runs at 09:00 for each group
            await scheduler.fire(group_id, PostKind.CHALLENGE)
        except InjectedCrash:
            crashed += 1

    await asyncio.gather(*(one(g) for g in group_ids))
    sweeps = 0
    while await _final_count(scheduler, day) < args.channels:
        await asyncio.sleep(args.sweep)
        sweeps += 1
        try:
            await scheduler.sweep()
        except InjectedCrash:
            crashed += 1
    return {
        "crashed_tasks": crashed,
        "sweeps": sweeps,
        "injected_total": chaos.injected,
        "first_request_ms": round((chaos.first_request - at) * 1000) if chaos.requests else None,
    }


async def warm_up(scheduler: Scheduler) -> None:
    """What a running bot has done before its first timer fires (its start-up catch-up
    read every schedule): open the pool's connections and compile the queries."""

    async def touch() -> None:
        async with scheduler.deps.sessions() as session:
            await load_schedules(session, [1])
            await session.execute(select(func.count()).select_from(Post))

    async with scheduler.deps.sessions() as session:
        await load_schedules(session)
    await asyncio.gather(*(touch() for _ in range(scheduler.config.concurrency)))


async def main(args: argparse.Namespace) -> None:
    engine = create_engine(args.db)
    sessions = create_session_factory(engine)
    clock = RealTimeClock(DAY0, time.time())
    chaos = Chaos(args)
    adapter = LoopbackAdapter(
        args.server, before_request=chaos.before_request, after_response=chaos.after_response
    )
    await adapter.start()
    messenger = Messenger()
    messenger.register(adapter)
    pacer = Pacer(PacingPolicy(discord_global=Rate(args.rate)))
    delivery = ChaosDelivery(messenger, pacer, RetryPolicy(base_delay=0.05, max_delay=0.5))
    delivery.chaos = chaos
    deps = PostingDeps(
        sessions=sessions,
        clock=clock,
        content=ContentStore.from_dir(BUNDLED_CONTENT_DIR),
        delivery=delivery,
        owner=args.instance,
        lease=timedelta(seconds=args.lease),
        platforms=messenger.platforms,
    )
    scheduler = Scheduler(deps, SimulatedTimer(clock))
    await warm_up(scheduler)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if not line or line == "quit":
                break
            _, day, at = line.split()
            stats = await run_day(scheduler, clock, chaos, args, int(day), float(at))
            print(f"done {day} {json.dumps(stats)}", flush=True)
    finally:
        await adapter.stop()
        await engine.dispose()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--channels", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--crash", type=float, default=0.02)
    parser.add_argument("--kill", type=float, default=0.0)
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--sweep", type=float, default=0.25)
    parser.add_argument("--rate", type=float, default=40.0)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
