"""The timer: wakes posting jobs at their planned instants, and nothing more.

In production it is APScheduler 3.x's ``AsyncIOScheduler`` with the in-memory job store
(never a persistent or shared one): each job is a one-shot ``DateTrigger`` at an instant
the planner computed, re-planned after every run, with ``coalesce=True`` and a generous
``misfire_grace_time`` so a stalled event loop delays a post instead of silently
dropping it (APScheduler's default grace is one second). Whether a post is actually sent
is decided by the post ledger when the job runs.

With a simulated clock (tests, ``studybot run --simulated-clock``) the same jobs live in a
:class:`SimulatedTimer`, which the app's time driver runs as the clock moves.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot import metrics
from bot.core.clock import Clock, SystemClock

log = logging.getLogger(__name__)

JobFn = Callable[[], Awaitable[None]]


class Timer(Protocol):
    """What the scheduler needs from a timer (so APScheduler can be swapped cheaply)."""

    def schedule(self, job_id: str, at: datetime, fn: JobFn) -> None:
        """Run ``fn`` once at ``at``, replacing any job with the same id."""
        ...

    def every(self, job_id: str, interval: timedelta, fn: JobFn) -> None:
        """Run ``fn`` every ``interval`` from now on."""
        ...

    def cancel(self, job_id: str) -> None:
        """Forget a job (no error if it does not exist)."""
        ...

    def next_run(self, job_id: str) -> datetime | None:
        """When the job will run next, if it is scheduled."""
        ...

    async def start(self) -> None:
        """Begin firing jobs."""
        ...

    async def stop(self) -> None:
        """Stop firing jobs; running ones are not awaited."""
        ...


async def _run_guarded(job_id: str, fn: JobFn) -> None:
    try:
        await fn()
    except Exception:
        log.exception("scheduled job %s failed", job_id)


class ApsTimer:
    """APScheduler 3.x ``AsyncIOScheduler`` used purely as an in-memory timer."""

    def __init__(
        self,
        clock: Clock,
        *,
        misfire_grace: timedelta = timedelta(hours=1),
        wall: Clock | None = None,
    ) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._clock = clock
        # APScheduler waits on the machine's clock; an injected clock that runs at real
        # speed but elsewhere in time (a benchmark replaying days) is mapped onto it.
        self._wall = wall or SystemClock()
        self._scheduler: Any = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(misfire_grace.total_seconds()),
            },
        )

    def schedule(self, job_id: str, at: datetime, fn: JobFn) -> None:
        """Run ``fn`` once at ``at``, replacing any job with the same id."""
        from apscheduler.triggers.date import DateTrigger

        skew = self._clock.now() - self._wall.now()
        self._scheduler.add_job(
            self._fire,
            DateTrigger(run_date=(at - skew).astimezone(UTC)),
            args=[job_id, at, fn],
            id=job_id,
            replace_existing=True,
        )

    def every(self, job_id: str, interval: timedelta, fn: JobFn) -> None:
        """Run ``fn`` every ``interval``."""
        from apscheduler.triggers.interval import IntervalTrigger

        self._scheduler.add_job(
            _run_guarded,
            IntervalTrigger(seconds=interval.total_seconds(), timezone=UTC),
            args=[job_id, fn],
            id=job_id,
            replace_existing=True,
        )

    def cancel(self, job_id: str) -> None:
        """Forget a job."""
        from apscheduler.jobstores.base import JobLookupError

        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(job_id)

    def next_run(self, job_id: str) -> datetime | None:
        """The job's next fire time."""
        job = self._scheduler.get_job(job_id)
        when: datetime | None = getattr(job, "next_run_time", None)
        return when

    async def start(self) -> None:
        """Start the scheduler on the running event loop."""
        self._scheduler.start()

    async def stop(self) -> None:
        """Shut the scheduler down without waiting for running jobs."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def _fire(self, job_id: str, at: datetime, fn: JobFn) -> None:
        metrics.SCHEDULER_LATENESS.observe(max(0.0, (self._clock.now() - at).total_seconds()))
        await _run_guarded(job_id, fn)


@dataclass
class _Entry:
    at: datetime
    fn: JobFn
    interval: timedelta | None
    token: int


class SimulatedTimer:
    """A timer driven by a simulated clock: :meth:`drive` runs whatever fell due, in order."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._jobs: dict[str, _Entry] = {}
        self._heap: list[tuple[datetime, int, str]] = []
        self._tokens = itertools.count()

    def schedule(self, job_id: str, at: datetime, fn: JobFn) -> None:
        """Run ``fn`` once when the clock reaches ``at``."""
        self._put(job_id, _Entry(at, fn, None, next(self._tokens)))

    def every(self, job_id: str, interval: timedelta, fn: JobFn) -> None:
        """Run ``fn`` every ``interval`` of simulated time."""
        self._put(job_id, _Entry(self._clock.now() + interval, fn, interval, next(self._tokens)))

    def cancel(self, job_id: str) -> None:
        """Forget a job."""
        self._jobs.pop(job_id, None)

    def next_run(self, job_id: str) -> datetime | None:
        """The job's next fire time."""
        entry = self._jobs.get(job_id)
        return None if entry is None else entry.at

    async def start(self) -> None:
        """Nothing to start: the time driver calls :meth:`drive`."""

    async def stop(self) -> None:
        """Forget every job."""
        self._jobs.clear()
        self._heap.clear()

    async def drive(self, now: datetime) -> None:
        """Run every job due at or before ``now``, earliest first (coalescing repeats)."""
        while self._heap and self._heap[0][0] <= now:
            _, token, job_id = heapq.heappop(self._heap)
            entry = self._jobs.get(job_id)
            if entry is None or entry.token != token:
                continue  # replaced or cancelled since it was queued
            if entry.interval is None:
                del self._jobs[job_id]
            else:
                # Coalesce: one run, however many intervals the clock jumped over.
                nxt = entry.at + entry.interval
                while nxt <= now:
                    nxt += entry.interval
                self._put(job_id, _Entry(nxt, entry.fn, entry.interval, next(self._tokens)))
            await _run_guarded(job_id, entry.fn)

    def _put(self, job_id: str, entry: _Entry) -> None:
        self._jobs[job_id] = entry
        heapq.heappush(self._heap, (entry.at, entry.token, job_id))
