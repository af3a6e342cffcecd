"""Crash injection on celebrations: several instances, one database, 0 duplicates, 0 missing.

Like ``benchmarks/posting_chaos.py`` but in one process, so it also runs on SQLite: every
"instance" is the real :class:`~bot.features.awards.celebrate.Celebrations` with its own
ledger owner, poster and sweeper (:meth:`bot.scheduling.service.Scheduler.sweep`), all on
one database and one simulated clock. Members keep earning milestones in waves (the real
:func:`bot.features.awards.earn.store`); after each wave the instances announce at the
same time, and crashes are injected

* after a batch was queued and claimed, before its first send attempt;
* right before a send reaches the platform;
* right after the platform stored the message, before the bot heard back.

A crashed instance leaves its claim behind; after the lease runs out the others' sweeps
take it over. The loopback platform honours a nonce for ``nonce_window`` seconds, as
Discord's ``enforce_nonce`` does. At the end every award must be in exactly one message
the platform holds.

    .venv/bin/python -m benchmarks.celebration_chaos                  # SQLite, 3 instances
    .venv/bin/python -m benchmarks.celebration_chaos --postgres       # PostgreSQL
    .venv/bin/python -m benchmarks.celebration_chaos --quick          # a small run

Ends with one line: ``celebrations: N awards, M posts, duplicates=0 missing=0, …``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import BUNDLED_CONTENT_DIR
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Destination, Reply, SentRef
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Group, Identity, Member, Post, Setting, Space
from bot.db.models_recognition import Award
from bot.db.repositories import posts_ledger as ledger
from bot.db.repositories.awards import NewAward
from bot.db.repositories.settings import GROUP_SCOPE, space_scope
from bot.features.awards.celebrate import Celebrations
from bot.features.awards.earn import store
from bot.recognition import CATALOGUE
from bot.scheduling.config import CHANNEL_KEYS, SINCE_KEY
from bot.scheduling.delivery import Delivery, RetryPolicy
from bot.scheduling.model import PostKey, PostKind
from bot.scheduling.pacing import Pacer, PacingPolicy, Rate
from bot.scheduling.posting import Outcome, PostingDeps
from bot.scheduling.service import Scheduler
from bot.scheduling.timer import SimulatedTimer

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Crash(BaseException):
    """The instance dies here (a BaseException: no ``except Exception`` handles it)."""


@dataclass
class ChaosConfig:
    """One run."""

    database_url: str
    instances: int = 3
    groups: int = 4
    members: int = 50
    waves: int = 6
    crash: float = 0.08
    lease: float = 20.0
    trickles: int = 6
    seed: int = 7


@dataclass
class ChaosResult:
    """What the platform and the ledger saw."""

    awards: int
    posts: int
    duplicates: int
    missing: int
    crashes: Counter[str]
    takeovers: int
    statuses: Counter[str]
    largest_batch: int
    seconds: float

    def summary(self) -> str:
        """The one-line result."""
        return (
            f"celebrations: {self.awards} awards, {self.posts} posts, "
            f"duplicates={self.duplicates} missing={self.missing}, "
            f"{sum(self.crashes.values())} injected crashes, {self.takeovers} takeovers, "
            f"largest batch {self.largest_batch} awards"
        )


@dataclass
class Message:
    """One message the platform holds."""

    message_id: str
    key: str
    channel: str


@dataclass
class LoopbackPlatform:
    """Stores messages; a nonce seen in the last ``window`` seconds returns its message."""

    clock: FakeClock
    window: float = 120.0
    messages: list[Message] = field(default_factory=list)
    nonces: dict[str, tuple[datetime, Message]] = field(default_factory=dict)

    def create(self, destination: Destination, key: str) -> Message:
        """Create a message (or return the one this nonce made within the window)."""
        now = self.clock.now()
        seen = self.nonces.get(key)
        if seen is not None and (now - seen[0]).total_seconds() < self.window:
            return seen[1]
        message = Message(str(len(self.messages) + 1), key, destination.channel_id or "dm")
        self.messages.append(message)
        self.nonces[key] = (now, message)
        return message


class CrashingSender:
    """One instance's connection to the platform, with injected crashes."""

    def __init__(self, platform: LoopbackPlatform, rng: random.Random, crash: float) -> None:
        self.platform = platform
        self.rng = rng
        self.crash = crash
        self.crashes: Counter[str] = Counter()
        self.armed = True

    def _maybe(self, where: str) -> None:
        if self.armed and self.rng.random() < self.crash:
            self.crashes[where] += 1
            raise Crash(where)

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Create the message, dying before or after the platform stored it now and then."""
        self._maybe("before-send")
        message = self.platform.create(destination, idempotency_key or "")
        self._maybe("after-store")
        return SentRef(destination.channel_id or "", message.message_id)


class CrashingCelebrations(Celebrations):
    """Celebrations that may die between queueing a batch and sending it."""

    sender: CrashingSender

    async def resume(self, claim: ledger.Claim) -> Outcome:
        """Deliver, unless this instance "dies" first (its claim stays behind)."""
        self.sender._maybe("after-claim")
        return await super().resume(claim)


@dataclass
class Instance:
    """One bot instance: its celebrations service, sender and sweeper."""

    name: str
    celebrations: CrashingCelebrations
    scheduler: Scheduler
    sender: CrashingSender

    async def announce(self, group_ids: list[int]) -> None:
        """Announce what is pending in the groups (in a random order), unless it crashes."""
        try:
            for group_id in group_ids:
                await self.celebrations.run_group(group_id)
        except Crash:
            pass

    async def sweep(self) -> None:
        """Take over expired claims, unless it crashes meanwhile."""
        with contextlib.suppress(Crash):
            await self.scheduler.sweep()


async def seed(sessions: async_sessionmaker[AsyncSession], config: ChaosConfig) -> list[int]:
    """Groups with one Discord space, a challenge channel and ``members`` members each."""
    group_ids = []
    async with sessions() as session, session.begin():
        for number in range(config.groups):
            group = Group(name=f"chaos {number}", created_at=START)
            session.add(group)
            await session.flush()
            space = Space(
                group_id=group.id, platform="discord", external_id=f"g{group.id}",
                name="", created_at=START,
            )  # fmt: skip
            session.add(space)
            await session.flush()
            session.add_all(
                [
                    Setting(group_id=group.id, scope=GROUP_SCOPE, key=SINCE_KEY,
                            value=START.isoformat(), updated_at=START),
                    Setting(group_id=group.id, scope=space_scope(space.id),
                            key=CHANNEL_KEYS[PostKind.CHALLENGE], value=f"c{group.id}",
                            updated_at=START),
                ]
            )  # fmt: skip
            for index in range(config.members):
                member = Member(
                    group_id=group.id, display_name=f"m{number}-{index}", timezone=None,
                    hidden=False, reminders=False, created_at=START,
                )  # fmt: skip
                session.add(member)
                await session.flush()
                session.add(
                    Identity(member_id=member.id, space_id=space.id,
                             platform_user_id=f"u{member.id}", display_name=member.display_name,
                             created_at=START)
                )  # fmt: skip
            group_ids.append(group.id)
    return group_ids


async def earn_wave(
    sessions: async_sessionmaker[AsyncSession],
    rng: random.Random,
    wave: int,
    now: datetime,
    share: float = 0.05,
) -> int:
    """Some members earn their next milestone (a burst in wave 0: everyone, like an amnesty).

    Later waves: each member with a chance of ``share``, so announcements interleave with
    new awards the way check-ins trickle in.
    """
    async with sessions() as session, session.begin():
        rows = (await session.execute(select(Member.id, Member.group_id))).all()
        held = Counter(
            dict((await session.execute(
                select(Award.member_id, func.count()).group_by(Award.member_id)
            )).all())
        )  # fmt: skip
        new = []
        for member_id, group_id in rows:
            if wave > 0 and rng.random() > share:
                continue
            count = held.get(member_id, 0)
            if count >= len(CATALOGUE):
                continue
            new.append(
                NewAward(
                    group_id=group_id, member_id=member_id, milestone=CATALOGUE[count].id,
                    value=CATALOGUE[count].threshold, earned_on=now.date(), earned_at=now,
                    source="checkin", note=None, space_id=None, announce="channel",
                )
            )  # fmt: skip
        earned = await store(session, new)
    return sum(len(v) for v in earned.values())


def _instance(
    name: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    platform: LoopbackPlatform,
    rng: random.Random,
    config: ChaosConfig,
) -> Instance:
    sender = CrashingSender(platform, rng, config.crash)
    fast = PacingPolicy(discord_global=Rate(1_000_000.0))

    async def no_sleep(_seconds: float) -> None:
        return None

    deps = PostingDeps(
        sessions=sessions,
        clock=clock,
        content=ContentStore.from_dir(BUNDLED_CONTENT_DIR),
        delivery=Delivery(
            sender, Pacer(fast), RetryPolicy(max_attempts=2), sleep=no_sleep, jitter=lambda: 0.0
        ),
        owner=name,
        lease=timedelta(seconds=config.lease),
    )
    scheduler = Scheduler(deps, SimulatedTimer(clock))
    celebrations = CrashingCelebrations(scheduler.poster)
    celebrations.sender = sender
    scheduler.resumers[PostKind.CELEBRATION] = celebrations.resume
    return Instance(name, celebrations, scheduler, sender)


async def _settle(
    instances: list[Instance], clock: FakeClock, config: ChaosConfig, group_ids: list[int]
) -> None:
    """Let leases run out and sweeps take over, until nothing is in flight or pending."""
    for _ in range(200):
        clock.advance(timedelta(seconds=config.lease + 1))
        await asyncio.gather(*(i.sweep() for i in instances))
        await asyncio.gather(*(i.announce(group_ids) for i in instances))
        async with instances[0].celebrations.poster.deps.sessions() as session:
            busy = (await session.execute(
                select(func.count()).select_from(Post).where(
                    Post.status.in_(("claimed", "sending", "retry"))
                )
            )).scalar_one()  # fmt: skip
            pending = (await session.execute(
                select(func.count()).select_from(Award).where(Award.state == "pending")
            )).scalar_one()  # fmt: skip
        if not busy and not pending:
            return


async def run_chaos(config: ChaosConfig) -> ChaosResult:
    """Run the scenario against ``config.database_url`` (an empty database)."""
    started = time.perf_counter()
    engine = create_engine(config.database_url)
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    rng = random.Random(config.seed)
    clock = FakeClock(START)
    platform = LoopbackPlatform(clock)
    group_ids = await seed(sessions, config)
    instances = [
        _instance(f"i{n}", sessions, clock, platform, random.Random(config.seed + n), config)
        for n in range(config.instances)
    ]
    total = 0
    for wave in range(config.waves):
        # A burst first (wave 0), then trickles: each followed by every instance announcing
        # at once, the way every instance reacts to the check-ins it handled.
        for _trickle in range(1 if wave == 0 else config.trickles):
            total += await earn_wave(sessions, rng, wave, clock.now())
            order = list(group_ids)
            rng.shuffle(order)
            await asyncio.gather(*(i.announce(order) for i in instances))
            clock.advance(timedelta(seconds=5))
        await _settle(instances, clock, config, group_ids)
        clock.advance(timedelta(hours=1))
    # Quiet at the end: no more crashes, everything left is taken over and finished.
    for instance in instances:
        instance.sender.armed = False
    await _settle(instances, clock, config, group_ids)
    async with sessions() as session:
        awards = list((await session.execute(select(Award))).scalars())
        rows = {
            row.id: row
            for row in (
                await session.execute(select(Post).where(Post.kind == "celebration"))
            ).scalars()
        }
    await engine.dispose()
    per_key = Counter(m.key for m in platform.messages)
    key_of = {row_id: _key(row).idempotency_key for row_id, row in rows.items()}
    # An award is missing when no message the platform holds announces it, or it was lost.
    missing = sum(
        1 for a in awards if a.post_id is None or per_key.get(key_of.get(a.post_id, ""), 0) == 0
    ) + max(0, total - len(awards))
    batch = Counter(a.post_id for a in awards if a.post_id is not None)
    crashes: Counter[str] = Counter()
    for instance in instances:
        crashes.update(instance.sender.crashes)
    return ChaosResult(
        awards=total,
        posts=len(platform.messages),
        duplicates=sum(n - 1 for n in per_key.values() if n > 1)
        + sum(1 for key in per_key if key not in set(key_of.values())),
        missing=missing,
        crashes=crashes,
        takeovers=sum(1 for row in rows.values() if row.attempts > 1),
        statuses=Counter(row.status for row in rows.values()),
        largest_batch=max(batch.values(), default=0),
        seconds=time.perf_counter() - started,
    )


def _key(row: Post) -> PostKey:
    return PostKey(row.space_id, row.channel_id, PostKind(row.kind), row.local_date)


async def _postgres_database() -> tuple[str, str] | None:
    import asyncpg

    name = f"studybot_cheers_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(
            host="127.0.0.1", port=5432, user="postgres", database="test", timeout=3
        )
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"celebration chaos: SKIPPED, PostgreSQL is not reachable ({exc})")
        return None
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Crash injection on celebrations.")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1:5432")
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--members", type=int, default=125)
    parser.add_argument("--waves", type=int, default=8)
    parser.add_argument("--crash", type=float, default=0.08)
    parser.add_argument("--quick", action="store_true", help="3 groups x 20 members, 3 waves")
    args = parser.parse_args(argv)
    if args.quick:
        args.groups, args.members, args.waves = 3, 20, 3
    dropped: str | None = None
    if args.postgres:
        found = await _postgres_database()
        if found is None:
            return 0
        dropped, url = found
    else:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/chaos.db"
    config = ChaosConfig(
        database_url=url, instances=args.instances, groups=args.groups,
        members=args.members, waves=args.waves, crash=args.crash,
    )  # fmt: skip
    try:
        result = await run_chaos(config)
    finally:
        if dropped is not None:
            import asyncpg

            admin = await asyncpg.connect(
                host="127.0.0.1", port=5432, user="postgres", database="test"
            )
            await admin.execute(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')
            await admin.close()
    print(
        f"celebration chaos ({'PostgreSQL' if args.postgres else 'SQLite'}): "
        f"{config.instances} instances, {config.groups} groups x {config.members} members, "
        f"{config.waves} waves in {result.seconds:.1f} s; crashes {dict(result.crashes)}; "
        f"ledger {dict(result.statuses)}"
    )
    print(result.summary())
    return 0 if result.duplicates == 0 and result.missing == 0 else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
