"""Memory of the running bot: 100k members, 1,000 spaces, 1M check-ins, the full content.

Three processes, so that each figure is the bot's own:
1. ``--role=build`` fills a SQLite file (the real migrations) with one big Slack group of
   ``--members`` members with Slack identities and ``--checkins`` check-ins over a year,
   plus ``--spaces`` - 1 more Discord spaces, each its own group with a configured challenge
   channel, so the scheduler plans posts for every space.
2. ``--role=bot`` (this process, started fresh after the build) runs the real App with the
   bundled content and the Slack adapter in HTTP mode on that file, and reads its resident
   set size (``VmRSS``) after start-up, after a burst of ``--burst`` signed ``/done``
   commands from distinct members, and across ``--minutes`` rounds of mixed traffic (a
   compressed hour: each round sends ``/done``, ``/streak`` and ``/leaderboard`` from random
   members, as in a busy minute). ``tracemalloc`` runs during the rounds only (it costs
   memory itself): the traced heap at round 10 and at the last round shows growth, and the
   top allocation differences are printed.
3. ``--role=slack`` is the loopback Slack (Web API and ``response_url`` sink) and the load
   generator, like ``benchmarks/slack_ack.py``.

Run: ``.venv/bin/python benchmarks/memory.py [--quick]``. The last line is the summary, e.g.
``memory: rss start=120MB after-burst=131MB end=133MB heap growth 10->60 min=+0.4MB``.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SECRET = "benchmark-signing-secret"
BOT_TOKEN = "xoxb-benchmark"
CHANNEL = "C0BENCH"
TEAM = "T0FAKE"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def rss_mb() -> float:
    """This process's resident set size in MB (Linux ``/proc``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def malloc_trim() -> float | None:
    """RSS after asking glibc to hand freed heap pages back to the system (if glibc)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    libc.malloc_trim(0)
    return rss_mb()


# --- 1. the database -------------------------------------------------------------------


async def build(path: Path, members: int, checkins: int, spaces: int) -> None:
    """Fill ``path`` with the big group, its identities, history and the other spaces."""
    from sqlalchemy import insert, select

    from benchmarks.leaderboard import load
    from bot.db import migrate
    from bot.db.engine import create_engine
    from bot.db.models import Group, Identity, Member, Setting, Space
    from bot.db.repositories.settings import space_scope

    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(engine)
    group_id, ids = await load(engine, members, checkins)
    async with engine.begin() as conn:
        space_id = (
            await conn.execute(
                insert(Space)
                .values(group_id=group_id, platform="slack", external_id=TEAM, created_at=NOW)
                .returning(Space.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(Identity),
            [
                {
                    "member_id": member_id,
                    "space_id": space_id,
                    "platform_user_id": f"U{n:06d}",
                    "display_name": f"member{n}",
                    "created_at": NOW,
                }
                for n, member_id in enumerate(ids)
            ],
        )
        settings = [
            {
                "group_id": group_id,
                "scope": space_scope(space_id),
                "key": "challenge.channel",
                "value": CHANNEL,
                "updated_at": NOW,
            }
        ]
        for n in range(spaces - 1):
            other = (
                await conn.execute(
                    insert(Group).values(name=f"guild {n}", created_at=NOW).returning(Group.id)
                )
            ).scalar_one()
            other_space = (
                await conn.execute(
                    insert(Space)
                    .values(
                        group_id=other,
                        platform="discord",
                        external_id=str(10**17 + n),
                        created_at=NOW,
                    )
                    .returning(Space.id)
                )
            ).scalar_one()
            settings.append(
                {
                    "group_id": other,
                    "scope": space_scope(other_space),
                    "key": "challenge.channel",
                    "value": str(2 * 10**17 + n),
                    "updated_at": NOW,
                }
            )
        await conn.execute(insert(Setting), settings)
        counted = (await conn.execute(select(Space.id))).all()
        people = (await conn.execute(select(Member.id))).all()
    await engine.dispose()
    print(f"built: {len(people)} members, {len(counted)} spaces, {checkins} check-ins", flush=True)


# --- 3. the Slack side -----------------------------------------------------------------


async def slack_side(members: int) -> None:
    """Fake Slack + load generator, driven by one-word orders on stdin."""
    from tests.fakes.slack_payloads import sign
    from tests.fakes.slack_server import FakeSlack

    fake = FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM)
    await fake.start()
    for n in range(members):
        fake.add_user(f"U{n:06d}", f"member{n}", is_admin=n == 0)
    fake.add_channel(CHANNEL, "general")
    print(fake.api_url, flush=True)
    url = (await asyncio.to_thread(sys.stdin.readline)).strip()
    rng = random.Random(3)
    sent = 0

    async def send(session: aiohttp.ClientSession, commands: list[tuple[str, str, int]]) -> None:
        nonlocal sent

        async def one(command: str, text: str, user: int) -> int:
            fields = fake.slash_command_payload(
                command, text, user_id=f"U{user:06d}", channel_id=CHANNEL
            )
            body = urlencode(fields)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
            async with session.post(url, data=body.encode(), headers=headers) as resp:
                await resp.read()
                return resp.status

        statuses = await asyncio.gather(*(one(*c) for c in commands))
        sent += len(commands)
        bad = [s for s in statuses if s != 200]
        if bad:
            raise SystemExit(f"{len(bad)} commands not acknowledged: {sorted(set(bad))}")
        await fake.wait_for_response_post(count=sent, timeout=300)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        while order := (await asyncio.to_thread(sys.stdin.readline)).split():
            if order[0] == "burst":
                users = rng.sample(range(members), int(order[1]))
                for first in range(0, len(users), 1000):
                    await send(session, [("/done", "", u) for u in users[first : first + 1000]])
            elif order[0] == "minute":
                mix = [("/done", "", rng.randrange(members)) for _ in range(int(order[1]))]
                mix += [("/streak", "", rng.randrange(members)) for _ in range(10)]
                mix += [("/leaderboard", "", rng.randrange(members)) for _ in range(5)]
                await send(session, mix)
            print("ok", flush=True)
    await fake.stop()


# --- 2. the bot ------------------------------------------------------------------------


async def bot_side(args: argparse.Namespace, path: Path) -> str:
    """Start the real App on the built file and measure it under the Slack side's traffic."""
    from bot.adapters.slack.factory import create
    from bot.app import App, freeze_startup_objects
    from bot.config import Settings

    slack = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--role=slack",
        f"--members={args.members}",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert slack.stdin is not None and slack.stdout is not None
    api_url = (await slack.stdout.readline()).decode().strip()

    async def order(line: str) -> None:
        assert slack.stdin is not None and slack.stdout is not None
        slack.stdin.write(f"{line}\n".encode())
        await slack.stdin.drain()
        if (await slack.stdout.readline()).decode().strip() != "ok":
            raise SystemExit(f"the Slack side failed on {line!r}; see its error output")

    before = rss_mb()
    settings = Settings(
        data_dir=path.parent,
        database_url_override=f"sqlite+aiosqlite:///{path}",
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=api_url,
        http_port=0,
        http_host="127.0.0.1",
    )
    app = App(settings=settings, adapter_factories=[create])
    began = time.perf_counter()
    await app.start()
    freeze_startup_objects()
    try:
        assert app.http is not None
        slack.stdin.write(f"http://127.0.0.1:{app.http.bound_port}/slack/events\n".encode())
        await slack.stdin.drain()
        gc.collect()
        start = rss_mb()
        print(f"start-up: {time.perf_counter() - began:.1f}s, rss {before:.0f} -> {start:.0f}MB")
        if args.trace_burst:
            tracemalloc.start(10)
        await order(f"burst {args.burst}")
        gc.collect()
        burst = rss_mb()
        traced = tracemalloc.get_traced_memory()[0] / 2**20 if args.trace_burst else None
        trimmed = malloc_trim()
        print(
            f"after a {args.burst} check-in burst: rss {burst:.0f}MB"
            + (f", traced heap {traced:.1f}MB" if traced is not None else "")
            + (f"; {trimmed:.0f}MB after malloc_trim" if trimmed is not None else "")
        )
        if not args.trace_burst:
            tracemalloc.start(10)
        heap: dict[int, float] = {}
        snapshots: dict[int, tracemalloc.Snapshot] = {}
        for minute in range(1, args.minutes + 1):
            await order(f"minute {args.per_minute}")
            if minute % 10 == 0 or minute == args.minutes:
                gc.collect()
                heap[minute] = tracemalloc.get_traced_memory()[0] / 2**20
                print(f"minute {minute}: rss {rss_mb():.0f}MB, traced heap {heap[minute]:.1f}MB")
                if minute in (10, args.minutes):
                    snapshots[minute] = tracemalloc.take_snapshot()
        end = rss_mb()
    finally:
        await app.stop()
        slack.stdin.close()
        await slack.wait()
    first = min(snapshots)
    print("top allocation growth, round 10 -> last (tracemalloc):")
    for stat in snapshots[args.minutes].compare_to(snapshots[first], "lineno")[:10]:
        print(f"  {stat}")
    growth = heap[args.minutes] - heap[min(heap)]
    return (
        f"memory: rss start={start:.0f}MB after-burst={burst:.0f}MB end={end:.0f}MB "
        f"(target <= 150 MB; end includes tracemalloc) heap growth {min(heap)}->{args.minutes} "
        f"min={growth:+.1f}MB; {args.members} members, {args.spaces} spaces, "
        f"{args.checkins} check-ins; {os.cpu_count()} CPUs"
    )


def main() -> None:
    """Build the database in a child process, then measure the bot in this one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--spaces", type=int, default=1_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--per-minute", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a small run (10k members)")
    parser.add_argument(
        "--trace-burst", action="store_true", help="run tracemalloc during the burst too"
    )
    parser.add_argument("--role", choices=["main", "build", "bot", "slack"], default="main")
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.members, args.checkins, args.spaces, args.burst = 10_000, 100_000, 100, 2_000
        args.minutes = 20
    from bot.logs import configure_logging

    configure_logging("WARNING")
    if args.role == "slack":
        asyncio.run(slack_side(args.members))
        return
    if args.role == "build":
        asyncio.run(build(args.db, args.members, args.checkins, args.spaces))
        return
    if args.role == "bot":
        print(asyncio.run(bot_side(args, args.db)))
        return
    with tempfile.TemporaryDirectory(prefix="studybot-memory-") as tmp:
        db = Path(tmp) / "studybot.db"
        sizes = [
            f"--members={args.members}",
            f"--checkins={args.checkins}",
            f"--spaces={args.spaces}",
        ]
        for role, extra in (
            ("build", []),
            (
                "bot",
                [
                    f"--burst={args.burst}",
                    f"--minutes={args.minutes}",
                    f"--per-minute={args.per_minute}",
                    *(["--trace-burst"] if args.trace_burst else []),
                ],
            ),
        ):
            code = os.spawnv(  # a fresh interpreter per role: the bot's RSS is its own
                os.P_WAIT,
                sys.executable,
                [sys.executable, __file__, f"--role={role}", f"--db={db}", *sizes, *extra],
            )
            if code:
                raise SystemExit(code)
        print(f"(database file {db.stat().st_size / 2**20:.0f} MB)")


if __name__ == "__main__":
    main()
