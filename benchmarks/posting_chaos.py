"""Chaos run of exactly-once posting: several bot processes, one PostgreSQL, crashes.

2-4 worker processes (``benchmarks/posting_chaos_worker.py``, the real ledger, posting and
delivery code) share one fresh PostgreSQL database with N channels (one group each) and
post the daily challenge for D days to a loopback platform that counts messages per
(channel, day) and honours nonces like Discord's ``enforce_nonce``. Every worker fires
every channel at 09:00 (all instances run the timer; the ledger lets one send). Crashes are
injected before and after sending (2 % each by default, plus 2 % between claim and first
attempt), workers are hard-killed now and then and restarted, and the platform answers
some requests with 429s and 500s, some of them after storing the message.

    .venv/bin/python -m benchmarks.posting_chaos            # 3 workers, 10 days x 500
    .venv/bin/python -m benchmarks.posting_chaos --quick    # 2 workers, 3 days x 100

Ends with one line: ``posting: 5000 expected, 5000 delivered, duplicates=0 gaps=0,
first-post p99=…s``. Skips (saying why) when PostgreSQL is not reachable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.loopback_platform import Faults, PlatformServer
from benchmarks.posting_chaos_worker import DAY0
from benchmarks.posting_setup import seed_channels
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Post

ROOT = Path(__file__).resolve().parents[1]
ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "database": "test"}


@dataclass
class ChaosConfig:
    """One chaos run."""

    database_url: str
    workers: int = 3
    days: int = 10
    channels: int = 500
    crash: float = 0.02
    kill: float = 0.3  # chance per worker and day of a hard kill mid fan-out
    lease: float = 2.0
    faults: Faults = field(
        default_factory=lambda: Faults(
            rate_limit=0.01, error_before_store=0.005, error_after_store=0.005
        )
    )
    seed: int = 7


@dataclass
class ChaosResult:
    """What the platform and the ledger saw."""

    expected: int
    delivered: int
    duplicates: int
    gaps: int
    first_post: list[float]
    kills: int
    injected: int
    takeovers: int
    statuses: Counter[str]
    faults: Counter[str]
    seconds: float

    def summary(self) -> str:
        """The one-line result."""
        p99 = _p99(self.first_post)
        return (
            f"posting: {self.expected} expected, {self.delivered} delivered, "
            f"duplicates={self.duplicates} gaps={self.gaps}, first-post p99={p99:.2f}s"
        )


def _p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[98]


class Worker:
    """A worker subprocess and its output lines."""

    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.process = process

    async def line(self) -> str | None:
        assert self.process.stdout is not None
        raw = await self.process.stdout.readline()
        return raw.decode().strip() if raw else None

    async def send(self, text: str) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(ConnectionError):
            self.process.stdin.write(f"{text}\n".encode())
            await self.process.stdin.drain()


async def _spawn(config: ChaosConfig, server: str, name: str, seed: int, kill: float) -> Worker:
    args = [
        sys.executable, "-m", "benchmarks.posting_chaos_worker",
        "--db", config.database_url, "--server", server, "--instance", name,
        "--seed", str(seed), "--channels", str(config.channels),
        "--workers", str(config.workers), "--crash", str(config.crash),
        "--kill", str(kill), "--lease", str(config.lease),
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *args, cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    worker = Worker(name, process)
    line = await asyncio.wait_for(worker.line(), 60)
    if line != "ready":
        raise RuntimeError(f"worker {name} did not start: {line!r}")
    return worker


async def _run_day(
    config: ChaosConfig, server: str, workers: dict[str, Worker], day: int, counters: Counter[str]
) -> float:
    at = time.time() + 0.5
    for worker in workers.values():
        await worker.send(f"day {day} {at}")
    pending = {name: asyncio.create_task(w.line()) for name, w in workers.items()}
    while pending:
        done, _ = await asyncio.wait(pending.values(), return_when=asyncio.FIRST_COMPLETED)
        for name, task in list(pending.items()):
            if task not in done:
                continue
            line = task.result()
            del pending[name]
            if line is None:  # hard-killed: restart it, it takes over the dead leases
                await workers[name].process.wait()
                counters["kills"] += 1
                counters["spawned"] += 1
                replacement = f"{name.split('~')[0]}~{counters['spawned']}"
                worker = await _spawn(
                    config, server, replacement, config.seed + 1000 + counters["spawned"], 0.0
                )
                del workers[name]
                workers[replacement] = worker
                await worker.send(f"day {day} {at}")
                pending[replacement] = asyncio.create_task(worker.line())
            elif line.startswith("done"):
                stats = json.loads(line.split(" ", 2)[2])
                counters[f"injected:{name}"] = int(stats["injected_total"])
                if "-v" in sys.argv:
                    print(f"  day {day} {name}: {stats}")
            else:
                pending[name] = asyncio.create_task(workers[name].line())
    return at


async def run_chaos(config: ChaosConfig) -> ChaosResult:
    """Run the chaos scenario against ``config.database_url`` (an empty database)."""
    started = time.perf_counter()
    engine = create_engine(config.database_url)
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    channels = await seed_channels(sessions, config.channels, since=DAY0 - timedelta(hours=9))
    server = PlatformServer(nonce_window=120.0, faults=config.faults, seed=config.seed)
    url = await server.start()
    counters: Counter[str] = Counter()
    workers: dict[str, Worker] = {}
    try:
        spawned = await asyncio.gather(
            *(
                _spawn(config, url, f"w{n}", config.seed + n, config.kill)
                for n in range(config.workers)
            )
        )
        workers = {w.name: w for w in spawned}
        day_starts = [
            await _run_day(config, url, workers, day, counters) for day in range(config.days)
        ]
        for worker in workers.values():
            await worker.send("quit")
        await asyncio.gather(*(w.process.wait() for w in workers.values()))
    finally:
        for worker in workers.values():
            if worker.process.returncode is None:
                worker.process.kill()
        await server.stop()
    days = [(DAY0 + timedelta(days=d)).date().isoformat() for d in range(config.days)]
    expected = {(c, d) for c in channels for d in days}
    seen = server.per_channel_day()
    first_post = [
        min(m.accepted_at for m in server.messages if m.day == day) - at
        for day, at in zip(days, day_starts, strict=True)
        if any(m.day == day for m in server.messages)
    ]
    async with sessions() as session:
        statuses = Counter(
            dict(
                (
                    await session.execute(select(Post.status, func.count()).group_by(Post.status))
                ).all()
            )
        )
        takeovers = int(
            (await session.execute(select(func.count()).where(Post.attempts > 1))).scalar_one()
        )
    await engine.dispose()
    delivered = len(expected & set(seen))
    return ChaosResult(
        expected=len(expected),
        delivered=delivered,
        duplicates=sum(n - 1 for n in seen.values() if n > 1) + len(set(seen) - expected),
        gaps=len(expected) - delivered,
        first_post=first_post,
        kills=counters["kills"],
        injected=sum(v for k, v in counters.items() if k.startswith("injected:")),
        takeovers=takeovers,
        statuses=statuses,
        faults=server.faults_served,
        seconds=time.perf_counter() - started,
    )


async def _fresh_database() -> str | None:
    import asyncpg

    name = f"studybot_chaos_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(**ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"posting chaos: SKIPPED, PostgreSQL is not reachable at 127.0.0.1:5432 ({exc})")
        return None
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name


async def _drop(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(**ADMIN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Chaos run of exactly-once posting.")
    parser.add_argument("--quick", action="store_true", help="2 workers, 3 days x 100 channels")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--days", type=int)
    parser.add_argument("--channels", type=int)
    parser.add_argument("--crash", type=float, default=0.02)
    parser.add_argument("-v", action="store_true", help="print each worker's day figures")
    args = parser.parse_args(argv)
    name = await _fresh_database()
    if name is None:
        return 0
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    config = ChaosConfig(database_url=url, crash=args.crash)
    if args.quick:
        config.workers, config.days, config.channels = 2, 3, 100
    config.workers = args.workers or config.workers
    config.days = args.days or config.days
    config.channels = args.channels or config.channels
    try:
        result = await run_chaos(config)
    finally:
        await _drop(name)
    print(
        f"chaos: {config.workers} workers, {config.days} days x {config.channels} channels in "
        f"{result.seconds:.0f} s; {result.kills} hard kills, {result.injected} injected crashes, "
        f"{result.takeovers} takeovers; platform faults {dict(result.faults)}; "
        f"ledger {dict(result.statuses)}; first post per day (s) "
        f"{[round(x, 2) for x in result.first_post]}"
    )
    print(result.summary())
    return 0 if result.duplicates == 0 and result.gaps == 0 else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
