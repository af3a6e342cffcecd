"""Helpers for scheduling tests: extra app instances, a nonce-honouring fake platform,
ledger and excused-day readers, and a recording sleep."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from bot.app import App
from bot.config import Settings
from bot.content.store import ContentStore
from bot.core.clock import FakeClock
from bot.core.models import Destination, Platform, Reply, SentRef
from bot.core.services import Services
from bot.db.models import ExcusedDay, Identity, Member, Post, Space
from bot.features.schedule.runtime import ScheduleRuntime
from bot.scheduling.service import Scheduler
from tests.support.fake_adapter import FakeAdapter, SentMessage


class ProcessDied(BaseException):
    """Stands for the process dying mid-post: our code catches ``Exception`` only."""


class NoncePlatform(FakeAdapter):
    """A fake platform that, like Discord's ``enforce_nonce``, answers a repeated
    idempotency key within ``window`` with the message it already created.

    ``die_before_next`` / ``die_after_next`` kill the sender on its next send: before the
    platform got the request, or after it stored the message.
    """

    def __init__(self, platform: Platform, clock: FakeClock, window: timedelta) -> None:
        super().__init__(platform)
        self.clock = clock
        self.window = window
        self.created: dict[str, tuple[datetime, SentRef]] = {}
        self.die_before_next = False
        self.die_after_next = False

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        if self.die_before_next:
            self.die_before_next = False
            raise ProcessDied("killed before the request left")
        if idempotency_key is not None and idempotency_key in self.created:
            at, ref = self.created[idempotency_key]
            if self.clock.now() - at < self.window:
                return ref
        ref = await super().send(destination, reply, idempotency_key=idempotency_key)
        if idempotency_key is not None:
            self.created[idempotency_key] = (self.clock.now(), ref)
        if self.die_after_next:
            self.die_after_next = False
            raise ProcessDied("killed after the platform stored the message")
        return ref


def platforms(
    clock: FakeClock, window: timedelta = timedelta(minutes=2)
) -> dict[Platform, NoncePlatform]:
    """One nonce-honouring fake per platform (shared by every instance in a test)."""
    return {p: NoncePlatform(p, clock, window) for p in Platform}


@asynccontextmanager
async def running(
    settings: Settings,
    clock: FakeClock,
    content: ContentStore,
    adapters: Sequence[FakeAdapter],
    *,
    instance: str | None = None,
) -> AsyncIterator[App]:
    """Another bot process on the same database file, started and caught up."""
    if instance is not None:
        settings = settings.model_copy(update={"instance_id": instance})
    app = App(
        settings=settings,
        clock=clock,
        content=content,
        adapter_factories=[lambda _app, a=a: a for a in adapters],
    )
    await app.start()
    try:
        await asyncio.wait_for(scheduler(app.require_services()).caught_up.wait(), 10)
        yield app
    finally:
        await app.stop()


def scheduler(services: Services) -> Scheduler:
    """The scheduler service of an app."""
    found = services.schedule
    assert isinstance(found, ScheduleRuntime)
    assert isinstance(found.scheduler, Scheduler)
    return found.scheduler


def runtime(services: Services) -> ScheduleRuntime:
    """The schedule runtime (background posts) of an app."""
    found = services.schedule
    assert isinstance(found, ScheduleRuntime)
    return found


async def advance_together(apps: Sequence[App], clock: FakeClock, delta: timedelta) -> None:
    """Move one shared clock minute by minute, running every instance's due jobs at once."""
    target = clock.now() + delta
    while clock.now() < target:
        clock.set(min(target, clock.now() + timedelta(minutes=1)))
        now = clock.now()
        await asyncio.gather(*(drive(now) for app in apps for drive in app.time_drivers))


def post_counts(messages: Sequence[SentMessage]) -> Counter[tuple[str, str, str]]:
    """How many messages the platform got per (channel, kind, day) (from post metadata)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for message in messages:
        meta = message.reply.metadata or {}
        counts[
            (str(message.destination.channel_id), meta.get("kind", "?"), meta.get("day", "?"))
        ] += 1
    return counts


async def ledger_rows(
    services: Services, kind: str | None = None, platform: Platform | None = None
) -> list[Post]:
    """Ledger rows (optionally of one kind, on one platform), oldest day first."""
    async with services.sessions() as session:
        query = (
            select(Post).join(Space, Space.id == Post.space_id).order_by(Post.local_date, Post.id)
        )
        if kind is not None:
            query = query.where(Post.kind == kind)
        if platform is not None:
            query = query.where(Space.platform == platform.value)
        return list((await session.execute(query)).scalars())


async def excused_days(services: Services) -> list[date]:
    """Group-wide excused days."""
    async with services.sessions() as session:
        query = (
            select(ExcusedDay.day).where(ExcusedDay.member_id.is_(None)).order_by(ExcusedDay.day)
        )
        return list((await session.execute(query)).scalars())


async def turn_reminders_on(services: Services, user: str) -> int:
    """Set ``members.reminders`` for the member behind platform user ``user``; returns its id."""
    async with services.sessions() as session, session.begin():
        member_id = (
            await session.execute(
                select(Identity.member_id).where(Identity.platform_user_id == user)
            )
        ).scalar_one()
        await session.execute(update(Member).where(Member.id == member_id).values(reminders=True))
    return int(member_id)


@dataclass
class RecordingSleep:
    """Stands in for ``asyncio.sleep`` in delivery: records each wait, returns at once."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)
