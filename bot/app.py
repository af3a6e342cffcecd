"""The composition root: builds every service once and owns their lifecycle.

Nothing else creates engines, settings or adapters. ``App.start`` does the async setup
in one place (database, migrations, content, registry, scheduler, adapters, HTTP),
``App.run`` waits for a stop signal or for an adapter to finish (the console at end of
input), and ``App.stop`` shuts everything down in reverse order within a bounded time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__
from bot.adapters.kit import AdapterFactory, AdapterKit, Lifecycle
from bot.config import AdapterChoice, Settings
from bot.content.store import ContentStore
from bot.core.clock import Clock, FakeClock, SystemClock
from bot.core.commands import Registry
from bot.core.dispatcher import Dispatcher
from bot.core.inbox import Replayer
from bot.core.inbox_recovery import InboxRecovery
from bot.core.messenger import Messenger
from bot.core.models import Platform
from bot.core.ports import Adapter
from bot.core.services import Services
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.inbox_store import InboxStore
from bot.db.repositories.command_store import STORE
from bot.features import all_routers, all_setting_specs
from bot.features.challenges import with_track_check
from bot.features.checkins.checkin_service import CheckinService
from bot.features.checkins.day_roll import DayRoller
from bot.features.checkins.writer import CheckinWriter
from bot.features.recognition import build_recognition
from bot.features.schedule.runtime import build_schedule
from bot.ops import readiness
from bot.ops.loop_lag import LoopLagProbe
from bot.scheduling.pacing import Pacer
from bot.web.server import HttpServer

log = logging.getLogger(__name__)

__all__ = ["AdapterFactory", "App", "Lifecycle", "choose_adapters", "freeze_startup_objects"]

TimeDriver = Callable[[datetime], Awaitable[None]]


@dataclass
class App:
    """One running studybot process.

    Attributes:
        settings: Process settings.
        clock: Real, or a :class:`FakeClock` for ``--simulated-clock`` and tests.
        adapter_factories: Builders for the adapters to run (chosen by the CLI).
    """

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    adapter_factories: list[AdapterFactory] = field(default_factory=list)
    content: ContentStore | None = None
    engine: AsyncEngine | None = None
    services: Services | None = None
    dispatcher: Dispatcher | None = None
    messenger: Messenger = field(default_factory=Messenger)
    pacer: Pacer = field(default_factory=Pacer)
    adapters: list[Adapter] = field(default_factory=list)
    components: list[Lifecycle] = field(default_factory=list)
    time_drivers: list[TimeDriver] = field(default_factory=list)
    http: HttpServer | None = None
    inbox: InboxStore | None = None
    recovery: InboxRecovery | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _started: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def start(self) -> None:
        """Build and start everything; raises before any adapter connects on bad config."""
        content = self.content or ContentStore.from_dir(self.settings.content_dir)
        self.content = content
        log.info("content loaded: %s", content.bundle.summary())
        self.engine = create_engine(self.settings.database_url)
        if self.settings.auto_migrate:
            await migrate.upgrade(self.engine)
        elif not await migrate.is_up_to_date(self.engine):
            raise RuntimeError("the database needs migrations: run `studybot db upgrade`")
        registry = Registry(all_routers())
        self.services = Services(
            settings=self.settings,
            clock=self.clock,
            sessions=create_session_factory(self.engine),
            registry=registry,
            content=content,
            store=STORE,
            setting_specs=with_track_check(all_setting_specs(), content),
        )
        # Slack and Discord store each command here before they acknowledge it.
        self.inbox = InboxStore(
            self.engine, self.clock, lease=timedelta(seconds=self.settings.inbox_lease)
        )
        self.services.inbox = self.inbox
        self.components.append((self.inbox.start, self.inbox.stop))
        self.dispatcher = Dispatcher(self.services)
        if self.settings.http_port is not None:
            self.http = HttpServer(self.settings.http_host, self.settings.http_port)
        self._build_services(self.engine, self.services)
        if self.settings.dashboard:
            from bot.web.dashboard import install as install_dashboard

            install_dashboard(self.ensure_http(), self.services, self.dispatcher)
        # Adapters are built before anything starts so they can add HTTP routes.
        kit = AdapterKit(
            settings=self.settings,
            clock=self.clock,
            dispatcher=self.dispatcher,
            services=self.services,
            messenger=self.messenger,
            pacer=self.pacer,
            http=lambda: self.http,
            ensure_http=self.ensure_http,
            add_component=self.components.append,
            advance_time=self.advance_time if isinstance(self.clock, FakeClock) else None,
        )
        for factory in self.adapter_factories:
            adapter = factory(kit)
            self.adapters.append(adapter)
            self.messenger.register(adapter)
        for start, stop in self.components:
            await start()
            self._started.append(stop)
        if self.http is not None:
            await self.http.start()
            self._started.append(self.http.stop)
        for adapter in self.adapters:
            await adapter.start()
            self._started.append(adapter.stop)
        replayers: dict[Platform, Replayer] = {
            a.platform: a for a in self.adapters if isinstance(a, Replayer)
        }
        self.recovery = InboxRecovery(
            self.inbox, self.clock, replayers, interval=self.settings.inbox_sweep_interval
        )
        await self.recovery.start()
        self._started.append(self.recovery.stop)
        log.info(
            "studybot %s started with %s",
            __version__,
            ", ".join(a.platform.value for a in self.adapters),
        )

    def _build_services(self, engine: AsyncEngine, services: Services) -> None:
        """Build the long-lived services and add them as components, in start order.

        The check-in service and its writer (on an engine of its own, disposed after the
        writer stopped), the readiness checks and loop-lag probe (when there is an HTTP
        server), then the scheduler, whose first catch-up waits for the adapters to be ready.
        """
        # The writer gets its own engine: commands awaiting their check-in hold connections
        # of the app's pool while they wait, so a writer borrowing one could wait forever.
        writer_engine = create_engine(engine.url.render_as_string(hide_password=False))
        checkins = CheckinService(CheckinWriter(writer_engine, self.clock))
        services.checkins = checkins
        self.components.append((_nothing, writer_engine.dispose))
        self.components.append((checkins.start, checkins.stop))
        # The leaderboards' day roll runs at each group's midnight, off the request path: on a
        # timer with the real clock, as a time driver with a simulated one.
        roller = DayRoller(services.sessions, self.clock, services.setting_specs)
        if isinstance(self.clock, FakeClock):
            self.time_drivers.append(roller.drive)
            services.settings_changed.append(roller.settings_changed)
        else:
            self.components.append((roller.start, roller.stop))
        self.components.append(self._operations(services))
        schedule = build_schedule(
            services,
            self.messenger,
            self.adapters,
            instance_id=self.settings.instance_id,
            pacer=self.pacer,
        )
        services.schedule = schedule
        services.settings_changed.append(schedule.scheduler.refresh)
        services.celebrations = build_recognition(services, schedule.scheduler, self.messenger)
        self.components.append((schedule.start, schedule.stop))
        if schedule.simulated:
            self.time_drivers.append(schedule.drive)

    def _operations(self, services: Services) -> Lifecycle:
        """Readiness checks and the loop-lag probe, on the HTTP server if there is one."""
        probe = LoopLagProbe()

        async def start() -> None:
            # Components start after the adapters are built, so a server that Slack's HTTP
            # mode created on demand is there by now.
            if self.http is None:
                return
            readiness.register(
                self.http,
                engine=lambda: self.engine,
                adapters=self.adapters,
                content=lambda: self.content,
                draining=lambda: self.dispatcher is not None and self.dispatcher.draining,
            )
            services.loop_lag = probe
            await probe.start()

        return start, probe.stop

    async def run(self) -> None:
        """Start, then wait for SIGINT/SIGTERM or for an adapter to close; then stop."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self._stopping.set)
        try:
            await self.start()
            freeze_startup_objects()
            # Any: the stop event's wait returns True, an adapter's wait_closed None.
            waiters: list[asyncio.Task[Any]] = [asyncio.create_task(self._stopping.wait())]
            waiters += [asyncio.create_task(a.wait_closed()) for a in self.adapters]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
        finally:
            await self.stop()

    def request_stop(self) -> None:
        """Ask :meth:`run` to shut down (as SIGTERM does)."""
        self._stopping.set()

    async def stop(self) -> None:
        """Stop adapters and components in reverse order, each within the timeout.

        First the dispatcher stops taking commands and in-flight ones finish (within the
        timeout), so no acknowledged command is cut off by closing its connection.
        """
        timeout = self.settings.shutdown_timeout
        if self.dispatcher is not None and not await self.dispatcher.drain(timeout):
            log.warning("commands still running after %.0f s; stopping anyway", timeout)
        while self._started:
            stop = self._started.pop()
            try:
                await asyncio.wait_for(stop(), timeout)
            except Exception:
                log.exception("error while stopping %s", getattr(stop, "__qualname__", stop))
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None
        log.info("studybot stopped")

    async def advance_time(self, delta: timedelta) -> None:
        """Move a simulated clock forward, letting every time driver run what falls due.

        The clock moves in steps of at most one minute so that jobs fire in order and see
        the time they were scheduled for, as they would with the real clock.
        """
        if not isinstance(self.clock, FakeClock):
            raise RuntimeError("time can only be advanced with a simulated clock")
        target = self.clock.now() + delta
        step = timedelta(minutes=1)
        while self.clock.now() < target:
            self.clock.set(min(target, self.clock.now() + step))
            for drive in self.time_drivers:
                await drive(self.clock.now())

    def ensure_http(self) -> HttpServer:
        """The HTTP server, created on first need (Slack's HTTP mode needs one)."""
        if self.http is None:
            self.http = HttpServer(self.settings.http_host, self.settings.http_port or 3000)
        return self.http

    def require_services(self) -> Services:
        """The services, once started."""
        if self.services is None:
            raise RuntimeError("the app is not started")
        return self.services


def freeze_startup_objects() -> None:
    """Exempt everything built at start-up (content, registry, clients) from garbage collection.

    They live as long as the process, yet every full collection would walk them all: with the
    bundled content that pause was ~150 ms, landing on whichever interaction was running
    (Discord and Slack allow 3 s for the first answer). Collect once, then freeze.
    """
    gc.collect()
    gc.freeze()


def choose_adapters(choice: AdapterChoice, settings: Settings) -> list[str]:
    """Which adapters to run: console when no platform token is set, unless told."""
    if choice is AdapterChoice.AUTO:
        chosen = []
        if settings.discord_configured:
            chosen.append("discord")
        if settings.slack_configured:
            chosen.append("slack")
        return chosen or ["console"]
    if choice is AdapterChoice.ALL:
        return ["discord", "slack"]
    return [choice.value]


async def _nothing() -> None:
    """A component step with nothing to do (the writer's engine needs only disposing)."""
