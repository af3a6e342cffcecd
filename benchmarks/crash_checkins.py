"""Crash test of the durable inbox: a 10k ``/done`` burst, ``kill -9`` several times, restart.

The bot is the real ``studybot run --adapter slack`` process (HTTP mode, the real migrations,
dispatcher, check-in writer and inbox) on SQLite or PostgreSQL. This process plays Slack: a
loopback fake Web API and ``response_url`` sink (``tests/fakes``), and a load generator that
sends ``--n`` signed ``/done`` commands from distinct members, ``--concurrency`` in flight at
a time. At random points (``--kills`` times, the last one after the burst, while the work is
still going on) the bot gets SIGKILL and is started again on the same database; requests in
flight at the kill get no 200 (Slack would show the member an error) and are counted apart.
Then every command Slack got a 200 for must end up stored once and answered once.

    .venv/bin/python benchmarks/crash_checkins.py                  # SQLite and PostgreSQL
    .venv/bin/python benchmarks/crash_checkins.py --db sqlite --n 2000 --kills 2

One line per database: ``sqlite: acked=… stored=… answered=… lost=0 double-answered=0
repeated-with-notice=… not-acked=… ack p50=…ms p99=…ms (200 concurrent), …``. PostgreSQL runs
in a fresh database of its own (``DATABASE_URL``'s server, 127.0.0.1:5432 by default) and is
skipped, saying why, when it is not reachable. Exits non-zero if anything acknowledged was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import signal
import socket
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.inbox import AGAIN  # noqa: E402
from bot.db.engine import create_engine  # noqa: E402
from tests.fakes.slack_payloads import sign  # noqa: E402
from tests.fakes.slack_server import FakeSlack  # noqa: E402

SECRET = "crash-benchmark-signing-secret"
BOT_TOKEN = "xoxb-crash-benchmark"
CHANNEL = "C0CRASH"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "database": "test"}


def free_port() -> int:
    """A port nobody listens on right now (the bot binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class BotProcess:
    """The ``studybot run`` child process, restartable on the same database."""

    env: dict[str, str]
    port: int
    log: Path
    process: asyncio.subprocess.Process | None = None
    up: asyncio.Event = field(default_factory=asyncio.Event)
    kills: int = 0
    killed_at: list[float] = field(default_factory=list)
    restart_seconds: list[float] = field(default_factory=list)

    async def start(self) -> None:
        """Start the bot and wait until ``/readyz`` says it is ready."""
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                "--adapter",
                "slack",
                env=self.env,
                cwd=str(ROOT),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        url = f"http://127.0.0.1:{self.port}/readyz"
        async with aiohttp.ClientSession() as session:
            while True:
                if self.process.returncode is not None:
                    raise SystemExit(f"the bot exited ({self.process.returncode}); see {self.log}")
                try:
                    async with session.get(url) as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        self.restart_seconds.append(time.perf_counter() - started)
        self.up.set()

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, whatever was in memory is gone."""
        self.up.clear()
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
            self.kills += 1
            self.killed_at.append(time.monotonic())

    async def stop(self) -> None:
        """SIGTERM at the end (a graceful stop)."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await self.process.wait()


@dataclass
class Outcome:
    """What one run measured."""

    n: int
    acked: set[int] = field(default_factory=set)
    not_acked: int = 0
    refused: int = 0
    answers: dict[int, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    stored: set[int] = field(default_factory=set)
    answered: set[int] = field(default_factory=set)
    double_answered: int = 0
    repeated_with_notice: int = 0
    uncertain: int = 0
    only_with_notice: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def lost(self) -> list[int]:
        """Acknowledged commands not both stored and answered."""
        return sorted(i for i in self.acked if i not in self.stored or i not in self.answered)


async def burst(fake: FakeSlack, bot: BotProcess, out: Outcome, args: argparse.Namespace) -> None:
    """Send every command, ``concurrency`` at a time, killing the bot at random points."""
    rng = random.Random(args.seed)
    during = max(0, args.kills - 1)
    kill_points = set(rng.sample(range(args.n // 10, args.n), during)) if during else set()
    url = f"http://127.0.0.1:{bot.port}/slack/events"
    slots = asyncio.Semaphore(args.concurrency)
    tasks: list[asyncio.Task[None]] = []

    async def restart_after_kill() -> None:
        await bot.kill()
        await bot.start()

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        fields = fake.slash_command_payload(
            "/done", f"burst {i}", user_id=f"U{i:05d}", channel_id=CHANNEL, response_url_id=f"r{i}"
        )
        body = urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        sent = time.perf_counter()
        try:
            async with session.post(url, data=body.encode(), headers=headers) as resp:
                answer = await resp.read()
                if resp.status == 200 and answer:
                    out.refused += 1  # acknowledged with an explanation: nothing promised
                elif resp.status == 200:
                    out.latencies.append(time.perf_counter() - sent)
                    out.acked.add(i)
                else:
                    out.not_acked += 1
        except (TimeoutError, aiohttp.ClientError):
            out.not_acked += 1  # in flight when the bot was killed: no 200, the member sees it
        finally:
            slots.release()

    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        restarts: list[asyncio.Task[None]] = []
        for i in range(args.n):
            if i in kill_points:
                restarts.append(asyncio.create_task(restart_after_kill()))
                await asyncio.sleep(0)
            await bot.up.wait()
            await slots.acquire()
            tasks.append(asyncio.create_task(one(session, i)))
        await asyncio.gather(*tasks)
        await asyncio.gather(*restarts)
    if args.kills > 0:
        # The last kill lands while the acknowledged work is still being done.
        await asyncio.sleep(rng.uniform(0.2, 2.0))
        await bot.kill()
        await bot.start()


def tally(fake: FakeSlack, out: Outcome) -> None:
    """Which commands got a delivered answer (a 200 from their response_url), how often.

    An answer headed "In case this did not reach you before I restarted" is the inbox
    re-sending one a crash left uncertain (a private one, or one not found in the channel's
    history): it counts as answered, and as ``repeated-with-notice`` when the member also
    got the first one. ``double-answered`` counts members who got the same answer twice
    without that notice (what must not happen).
    """
    plain: dict[int, int] = {}
    noticed: dict[int, int] = {}
    for post in fake.response_posts():
        text_ = str(post.body.get("text", ""))
        # "I'm restarting, I have kept it" is not the answer: the command is still pending.
        if text_.startswith("I'm restarting right now"):
            continue
        if post.status == 200 and post.id.startswith("r"):
            i = int(post.id[1:])
            bucket = noticed if text_.startswith(AGAIN.strip()) else plain
            bucket[i] = bucket.get(i, 0) + 1
            out.answers[i] = text_[:160]
    out.answered = set(plain) | set(noticed)
    out.double_answered = sum(1 for c in plain.values() if c > 1)
    out.repeated_with_notice = sum(1 for i in noticed if plain.get(i, 0) + noticed[i] > 1)
    out.only_with_notice = sum(1 for i in noticed if i not in plain and noticed[i] == 1)


def explain_doubles(name: str, fake: FakeSlack, bot: BotProcess, out: Outcome) -> None:
    """For each command answered twice: when each answer arrived relative to the kills."""
    by_id: dict[str, list[tuple[float, str]]] = {}
    for post in fake.response_posts():
        if post.status == 200:
            by_id.setdefault(post.id, []).append((post.at, str(post.body.get("text", ""))[:60]))
    for rid, posts in sorted(by_id.items()):
        answers = [
            p
            for p in posts
            if not p[1].startswith(("I'm restarting right now", AGAIN.strip()[:30]))
        ]
        if len(answers) < 2:
            continue
        i = int(rid[1:])
        epochs = [sum(1 for k in bot.killed_at if k < at) for at, _ in answers]
        first_at, life = answers[0][0], epochs[0]
        before_kill = (
            f"{(bot.killed_at[life] - first_at) * 1000:.0f}ms" if life < len(bot.killed_at) else "?"
        )
        print(
            f"{name}: DOUBLE #{i} acked={i in out.acked} answers in process lives {epochs}, "
            f"the first {before_kill} before the kill: "
            + " | ".join(repr(text) for _, text in answers),
            flush=True,
        )


async def stored_members(database_url: str, out: Outcome) -> set[int]:
    """Members with a stored check-in, read from the database (and the inbox's statuses)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            notes = (await conn.execute(text("SELECT note FROM checkins"))).scalars().all()
            counts = await conn.execute(text("SELECT status, count(*) FROM inbox GROUP BY status"))
            out.statuses = {str(status): int(n) for status, n in counts.all()}
    finally:
        await engine.dispose()
    return {int(str(note).split()[-1]) for note in notes if str(note).startswith("burst ")}


async def run_once(name: str, database_url: str, args: argparse.Namespace) -> Outcome:
    """One burst with kills against one database."""
    fake = FakeSlack(bot_token=BOT_TOKEN)
    await fake.start()
    for i in range(args.n):
        fake.add_user(f"U{i:05d}", f"member{i}")
    fake.add_channel(CHANNEL, "general")
    out = Outcome(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("STUDYBOT_", "SLACK_", "DISCORD_")) and k != "DATABASE_URL"
        }
        env.update(
            DATABASE_URL=database_url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.api_url,
            STUDYBOT_HTTP_PORT=str(port),
            STUDYBOT_HTTP_HOST="127.0.0.1",
            STUDYBOT_DATA_DIR=tmp,
            STUDYBOT_LOG_LEVEL="WARNING",
            # A short lease so a restarted bot takes the dead one's commands at once.
            STUDYBOT_INBOX_LEASE="1",
            STUDYBOT_INBOX_SWEEP_INTERVAL="0.5",
        )
        bot = BotProcess(env, port, Path(tmp) / "bot.log")
        started = time.perf_counter()
        try:
            await bot.start()
            await burst(fake, bot, out, args)
            # Wait while the bot is still getting through the backlog (it answers at its
            # own pace on a loaded machine); give up after --settle seconds of no progress.
            last, progress_at = -1, time.monotonic()
            while time.monotonic() - progress_at < args.settle:
                tally(fake, out)
                if out.acked <= out.answered:
                    break
                if len(out.answered) != last:
                    last, progress_at = len(out.answered), time.monotonic()
                await asyncio.sleep(0.5)
            await bot.stop()
        finally:
            await bot.kill()
            out.seconds = time.perf_counter() - started
            lines = (Path(tmp) / "bot.log").read_text(errors="replace").splitlines()
            # Entries a kill left between the answer's claim and its mark (the recovery logs
            # each one it checks; a check interrupted by the next kill is logged again).
            out.uncertain = len({line for line in lines if "checking whether the answer" in line})
            if args.keep_log:
                notable = [line for line in lines if " ERROR " in line or "WARNING" in line]
                print("\n".join(notable[-40:]))
        out.stored = await stored_members(database_url, out)
        tally(fake, out)
    await fake.stop()
    ms = [v * 1000 for v in out.latencies]
    statuses = " ".join(f"{k}={v}" for k, v in sorted(out.statuses.items()))
    print(
        f"{name}: acked={len(out.acked)} stored={len(out.stored & out.acked)} "
        f"answered={len(out.answered & out.acked)} lost={len(out.lost)} "
        f"double-answered={out.double_answered} "
        f"repeated-with-notice={out.repeated_with_notice} uncertain-checked={out.uncertain} "
        f"(sent after the check, with the notice, never seen before: {out.only_with_notice}) "
        f"not-acked={out.not_acked} "
        f"refused-at-ack={out.refused} "
        f"(also stored/answered: {len(out.stored - out.acked)}/{len(out.answered - out.acked)}); "
        f"kill -9 x{bot.kills}; ack p50={percentile(ms, 50):.0f}ms p99={percentile(ms, 99):.0f}ms "
        f"max={max(ms):.0f}ms at {args.concurrency} concurrent; "
        f"restart to ready {max(bot.restart_seconds):.1f}s; run {out.seconds:.0f}s; "
        f"inbox {statuses}",
        flush=True,
    )
    for i in out.lost[:10]:
        print(f"{name}: LOST #{i}: answered {out.answers.get(i, '(nothing)')!r}", flush=True)
    explain_doubles(name, fake, bot, out)
    return out


async def with_postgres(args: argparse.Namespace) -> Outcome | None:
    """Run on a fresh PostgreSQL database (dropped afterwards), or say why not."""
    try:
        import asyncpg
    except ImportError:
        print("postgresql: skipped (asyncpg is not installed: pip install -e '.[postgres]')")
        return None
    try:
        admin = await asyncpg.connect(**PG, timeout=2)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"postgresql: skipped (not reachable at {PG['host']}:{PG['port']}: {exc})")
        return None
    name = f"studybot_crash_{uuid.uuid4().hex[:10]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        url = f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
        return await run_once("postgresql", url, args)
    finally:
        admin = await asyncpg.connect(**PG)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def main_async(args: argparse.Namespace) -> int:
    outcomes: list[Outcome] = []
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'crash.db'}"
            outcomes.append(await run_once("sqlite", url, args))
    if args.db in ("postgresql", "postgres", "both"):
        found = await with_postgres(args)
        if found is not None:
            outcomes.append(found)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"load average {load} on {os.cpu_count()} CPUs (shared machine: figures are upper bounds)"
    )
    return 1 if any(o.lost for o in outcomes) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="commands, one per member")
    parser.add_argument("--concurrency", type=int, default=200, help="requests in flight")
    parser.add_argument("--kills", type=int, default=3, help="kill -9 this many times")
    databases = ["sqlite", "postgresql", "postgres", "both"]
    parser.add_argument("--db", choices=databases, default="both")
    parser.add_argument("--seed", type=int, default=21, help="where the kills land")
    parser.add_argument(
        "--settle", type=float, default=120, help="seconds without a new answer before giving up"
    )
    parser.add_argument("--keep-log", action="store_true", help="print the end of the bot log")
    raise SystemExit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
