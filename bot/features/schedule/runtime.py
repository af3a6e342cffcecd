"""The scheduler as the app runs it: timer choice, console defaults, background posts.

The composition root calls :func:`build_schedule` and runs the result as a component
(and, with a simulated clock, as a time driver).

With the real clock the timer is APScheduler; with a simulated clock (tests, ``studybot run
--simulated-clock``) it is a :class:`~bot.scheduling.timer.SimulatedTimer` driven by the
app's time driver, so ``:advance 1d`` runs exactly the jobs a real day would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import FakeClock
from bot.core.messenger import Messenger
from bot.core.models import CONSOLE_SPACE, Platform
from bot.core.ports import Adapter
from bot.core.services import Services
from bot.core.settings_change import SettingsChange, change_settings
from bot.db.repositories import settings as settings_repo
from bot.db.repositories.spaces import get_or_create_space
from bot.features.awards.earn import Cause
from bot.features.checkins.moderation import recompute_group
from bot.scheduling.config import SINCE_KEY
from bot.scheduling.delivery import Delivery
from bot.scheduling.pacing import Pacer
from bot.scheduling.posting import PostingDeps
from bot.scheduling.service import Scheduler, SchedulerConfig, default_instance_id
from bot.scheduling.timer import ApsTimer, SimulatedTimer, Timer

log = logging.getLogger(__name__)

#: Streaks a missed daily post restores earn their milestones as well.
OUTAGE = Cause("outage", note="a day excused after a missed daily post")

#: With a simulated clock no timer job can be lost, so the safety pass is off and the
#: sweeper runs less often (each run is a query per simulated interval).
SIMULATED = SchedulerConfig(sweep_every=timedelta(minutes=30), heal_every=None, ready_timeout=10)


class ScheduleRuntime:
    """The scheduler of one app plus the background tasks its commands start."""

    def __init__(
        self,
        scheduler: Scheduler,
        timer: Timer,
        *,
        services: Services,
        console: Callable[[], bool] = lambda: False,
    ) -> None:
        self.scheduler = scheduler
        self.timer = timer
        self.services = services
        self._console = console
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def simulated(self) -> bool:
        """Whether a simulated clock drives the timer (the app adds :meth:`drive`)."""
        return isinstance(self.timer, SimulatedTimer)

    async def start(self) -> None:
        """Set up the console's defaults when it runs, then start the scheduler."""
        if self._console():
            await _console_defaults(self.services)
        await self.scheduler.start()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` in the background (a post a moderator asked for), logging failures."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background post failed", exc_info=task.exception())

    async def settle(self, within: float = 10.0) -> None:
        """Wait up to ``within`` seconds for background posts to finish (tests, shutdown)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=within)

    async def drive(self, now: datetime) -> None:
        """The app's time driver: run the simulated timer's due jobs."""
        if not self.scheduler.caught_up.is_set():
            await asyncio.wait_for(self.scheduler.caught_up.wait(), timeout=30)
        await self.settle()
        if isinstance(self.timer, SimulatedTimer):
            await self.timer.drive(now)

    async def stop(self) -> None:
        """Finish background posts briefly, then stop the scheduler."""
        await self.settle(within=5.0)
        await self.scheduler.stop()


def runtime_of(services: Services) -> ScheduleRuntime:
    """The running schedule runtime (built by the composition root)."""
    runtime = services.schedule
    if not isinstance(runtime, ScheduleRuntime):
        raise RuntimeError("the scheduler is not installed")
    return runtime


def build_schedule(
    services: Services,
    messenger: Messenger,
    adapters: Sequence[Adapter],
    *,
    instance_id: str | None,
    pacer: Pacer | None = None,
) -> ScheduleRuntime:
    """Build the scheduler of one app: the timer, the posting parts, the runtime.

    Args:
        services: The app's services (clock, sessions, content).
        messenger: Sends the posts.
        adapters: The app's adapters (filled in before it starts); the first catch-up
            waits until each is ready.
        instance_id: This instance's id in ledger leases (default: host and process).
        pacer: The process's one pacer, shared with the adapters (a new one if ``None``).
    """
    clock = services.clock
    simulated = isinstance(clock, FakeClock)
    timer: Timer = SimulatedTimer(clock) if simulated else ApsTimer(clock)
    deps = PostingDeps(
        sessions=services.sessions,
        clock=clock,
        content=services.content,
        delivery=Delivery(messenger, pacer or Pacer()),
        owner=default_instance_id(instance_id),
        platforms=messenger.platforms,
        day_excused=lambda group_id: recompute_group(services, group_id, OUTAGE),
    )

    async def adapters_ready() -> None:
        await asyncio.gather(*(adapter.ready.wait() for adapter in adapters))

    scheduler = Scheduler(
        deps, timer, SIMULATED if simulated else SchedulerConfig(), wait_ready=adapters_ready
    )
    return ScheduleRuntime(
        scheduler,
        timer,
        services=services,
        console=lambda: Platform.CONSOLE in messenger.platforms(),
    )


async def _console_defaults(services: Services) -> None:
    """Make the console a study group that posts to #general from the first start."""
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        space = await get_or_create_space(session, CONSOLE_SPACE, now)
        stored = await settings_repo.load(session, space.group_id)
        if SINCE_KEY not in stored:
            # The bot's own bookkeeping (not audited); the scheduler is not running yet.
            change = SettingsChange(
                space.group_id, {SINCE_KEY: now.isoformat()}, action=None, notify=False
            )
            await change_settings(services.store, session, change, now)
