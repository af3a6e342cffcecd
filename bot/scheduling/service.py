"""The scheduler service: arms the timer from the database and runs the posting jobs.

At start it waits for the adapters to be ready, then runs a catch-up pass (every group's
due posts, reminders, and the lease sweeper) and arms one timer job per group and post
kind at the next planned instant. Every job re-plans its own next run when it finishes;
a settings change re-plans that group; a periodic safety pass re-runs the catch-up so a
timer that was lost (a job skipped by APScheduler, a clock jump) costs at most one
interval, and the sweeper takes over claims whose owner died.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.core.models import Platform
from bot.db.repositories import posts_history as history
from bot.db.repositories import posts_ledger as ledger
from bot.db.repositories import schedule as schedule_repo
from bot.scheduling.announcements import Announcements
from bot.scheduling.config import GroupSchedule, Target, load_schedule, load_schedules
from bot.scheduling.jobs import ChannelJobs
from bot.scheduling.model import CHANNEL_KINDS, PostKind
from bot.scheduling.planner import Occurrence, next_occurrence
from bot.scheduling.posting import Outcome, PostingDeps, PostRunner
from bot.scheduling.reminders import RECHECK, Reminders
from bot.scheduling.timer import Timer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchedulerConfig:
    """Intervals of the background passes.

    Attributes:
        sweep_every: How often expired leases are looked for (lease + this is the longest
            a dead owner's post waits; keep the sum under Discord's nonce window).
        heal_every: How often the catch-up pass re-runs as a safety net (``None``: never).
        ready_timeout: Seconds to wait for adapters to connect before the first catch-up.
        concurrency: Group jobs running at once. Many groups share a post time; running
            them all at once would make the first post wait behind every group's queries,
            while a few at a time keep the first post fast and still outpace the platform's
            rate limits.
    """

    sweep_every: timedelta = timedelta(seconds=30)
    heal_every: timedelta | None = timedelta(minutes=30)
    ready_timeout: float = 60.0
    concurrency: int = 4


def default_instance_id(configured: str | None = None) -> str:
    """This process's name in the ledger: the configured one, else host, pid and a nonce."""
    if configured:
        return configured[:64]
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Scheduler:
    """Owns the timer and the posting jobs of one process."""

    def __init__(
        self,
        deps: PostingDeps,
        timer: Timer,
        config: SchedulerConfig | None = None,
        *,
        wait_ready: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.deps = deps
        self.timer = timer
        self.config = config or SchedulerConfig()
        self.poster = PostRunner(deps)
        self.jobs = ChannelJobs(self.poster)
        self.reminders = Reminders(self.poster)
        self.announcements = Announcements(self.poster)
        self.caught_up = asyncio.Event()
        self._wait_ready = wait_ready
        self._startup: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[object]] = set()
        self._slots = asyncio.Semaphore(self.config.concurrency)
        #: Post kinds owned by features (celebrations): how to finish a taken-over row.
        self.resumers: dict[PostKind, Callable[[ledger.Claim], Awaitable[Outcome]]] = {}
        #: Run by every catch-up pass after the groups' posts (pending celebrations).
        self.catch_up_hooks: list[Callable[[], Awaitable[object]]] = []

    async def start(self) -> None:
        """Start the timer and, in the background, the first catch-up pass."""
        await self.timer.start()
        self.timer.every("sweep", self.config.sweep_every, self._guard(self.sweep))
        if self.config.heal_every is not None:
            self.timer.every("heal", self.config.heal_every, self._guard(self.catch_up))
        self._startup = asyncio.create_task(self._start_up(), name="scheduler-catch-up")

    async def stop(self) -> None:
        """Stop the timer and cancel running jobs (their claims are taken over later)."""
        await self.timer.stop()
        tasks = [t for t in (self._startup, *self._running) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)

    async def wait_idle(self) -> None:
        """Wait until no timer job of this scheduler is running."""
        while self._running:
            await asyncio.wait(list(self._running))

    async def _start_up(self) -> None:
        try:
            if self._wait_ready is not None:
                try:
                    await asyncio.wait_for(self._wait_ready(), self.config.ready_timeout)
                except TimeoutError:
                    log.warning("not every adapter was ready; catching up with those that are")
            await self.catch_up()
        except Exception:
            log.exception("the start-up catch-up failed; the safety pass will retry")
        finally:
            self.caught_up.set()

    def _guard(self, fn: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await fn()
            finally:
                if task is not None:
                    self._running.discard(task)

        return run

    async def catch_up(self) -> None:
        """Run every group's due posts and reminders, re-arm its timers, then sweep."""
        async with self.deps.sessions() as session:
            schedules = await load_schedules(session)

        async def one(schedule: GroupSchedule) -> None:
            async with self._slots:
                try:
                    await self._run_group(schedule)
                except Exception:
                    log.exception("catch-up of group %s failed", schedule.group_id)

        await asyncio.gather(*(one(s) for s in schedules))
        for hook in self.catch_up_hooks:
            try:
                await hook()
            except Exception:
                log.exception("a catch-up hook failed")
        await self.sweep()

    async def rebuild(self) -> int:
        """Arm every group's channel-post timers from the database, posting nothing.

        Returns how many timers are armed.
        """
        async with self.deps.sessions() as session:
            schedules = await load_schedules(session)
        for schedule in schedules:
            for kind in CHANNEL_KINDS:
                self._arm(schedule, kind)
        return sum(1 for s in schedules for k in CHANNEL_KINDS if self.next_occurrence(s, k))

    async def refresh(self, group_id: int) -> None:
        """Re-plan one group after its settings changed (``settings_changed`` hook)."""
        async with self.deps.sessions() as session:
            schedule = await load_schedule(session, group_id)
        if schedule is not None:
            await self._run_group(schedule)

    async def _run_group(self, schedule: GroupSchedule) -> None:
        for kind in CHANNEL_KINDS:
            try:
                await self.jobs.run_kind(schedule, kind)
            finally:
                self._arm(schedule, kind)
        await self._run_reminders(schedule)

    async def _run_reminders(self, schedule: GroupSchedule) -> None:
        next_at = self.deps.clock.now() + RECHECK
        try:
            next_at = await self.reminders.run(schedule)
        finally:
            self._arm_reminders(schedule.group_id, next_at)

    async def fire(self, group_id: int, kind: PostKind) -> None:
        """The timer job of one group and kind.

        Waits for a free job slot (first come, first served), re-reads the schedule,
        posts what is due (or nudges who is due), then re-arms the timer.
        """
        async with self._slots:
            async with self.deps.sessions() as session:
                schedule = await load_schedule(session, group_id)
            if schedule is None:
                return
            if kind is PostKind.REMINDER:
                await self._run_reminders(schedule)
                return
            try:
                await self.jobs.run_kind(schedule, kind)
            finally:
                self._arm(schedule, kind)

    def _arm(self, schedule: GroupSchedule, kind: PostKind) -> None:
        job_id = f"{kind.value}:{schedule.group_id}"
        upcoming = self.next_occurrence(schedule, kind)
        if upcoming is None:
            self.timer.cancel(job_id)
        else:
            job = self._guard(partial(self.fire, schedule.group_id, kind))
            self.timer.schedule(job_id, upcoming.fire_at, job)

    def _arm_reminders(self, group_id: int, at: datetime) -> None:
        job = self._guard(partial(self.fire, group_id, PostKind.REMINDER))
        self.timer.schedule(f"reminder:{group_id}", at, job)

    def next_occurrence(self, schedule: GroupSchedule, kind: PostKind) -> Occurrence | None:
        """The next planned post of ``kind`` for the group (``None``: not posting)."""
        if schedule.since is None or not schedule.targets(kind):
            return None
        return next_occurrence(schedule.plans[kind], self.deps.clock.now())

    async def sweep(self) -> list[Outcome]:
        """Take over in-flight posts whose lease ran out and finish them; announce projects."""
        outcomes = await self._take_over_expired()
        outcomes.extend(await self.announcements.run())
        return outcomes

    async def _take_over_expired(self) -> list[Outcome]:
        deps = self.deps
        now = deps.clock.now()
        async with deps.sessions() as session:
            rows = list(await history.expired(session, now=now))
            if not rows:
                return []
            spaces = await schedule_repo.spaces(session, {row.space_id for row in rows})
        running = deps.platforms()
        outcomes = []
        for row in rows:
            space = spaces.get(row.space_id)
            if space is None or Platform(space.platform) not in running:
                continue
            async with deps.sessions() as session, session.begin():
                claim = await ledger.take_over(
                    session, row, owner=deps.owner, now=deps.clock.now(), lease=deps.lease
                )
            if claim is None:
                continue
            log.info("taking over %s (attempt %d)", claim.key.describe(), claim.attempt)
            resume = self.resumers.get(claim.key.kind)
            if resume is not None:
                outcomes.append(await resume(claim))
                continue
            async with deps.sessions() as session:
                schedule = await load_schedule(session, space.group_id)
            if schedule is None:
                continue
            if claim.key.kind is PostKind.REMINDER:
                outcomes.append(await self.reminders.resume(claim, schedule))
            elif claim.key.kind is PostKind.PROJECT:
                outcomes.append(await self.announcements.resume(claim, schedule))
            else:
                outcomes.append(await self.jobs.resume(claim, schedule))
        return outcomes

    async def post_now(
        self, group_id: int, space_id: int, kind: PostKind, channel_id: str, *, force: bool
    ) -> Outcome:
        """``/admin post``: post today's ``kind`` to ``channel_id`` now."""
        async with self.deps.sessions() as session:
            schedule = await load_schedule(session, group_id)
            space = await schedule_repo.space(session, space_id)
        if schedule is None:
            return Outcome.SKIPPED
        target = Target(space.id, Platform(space.platform), space.external_id, channel_id)
        outcome = await self.jobs.post_now(schedule, target, kind, force=force)
        log.info("manual %s post to %s: %s", kind.value, channel_id, outcome.value)
        return outcome

    def armed(self, group_id: int, kinds: Iterable[PostKind] = CHANNEL_KINDS) -> dict[str, object]:
        """When this process's timer will next wake each kind of the group (diagnostics)."""
        return {kind.value: self.timer.next_run(f"{kind.value}:{group_id}") for kind in kinds}
