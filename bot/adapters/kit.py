"""What the composition root hands an adapter factory: the built parts, never the app.

``bot/app.py`` builds one :class:`AdapterKit` after the dispatcher and services exist and
passes it to each factory (``factory.create(kit) -> Adapter``), in the spirit of
discord.py's ``advanced_startup`` example: dependencies go in through constructors, and
nothing imports the composition root back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.commands import Registry
from bot.core.dispatcher import Dispatcher
from bot.core.messenger import Messenger
from bot.core.ports import Adapter
from bot.core.services import Services
from bot.scheduling.pacing import Pacer
from bot.web.server import HttpServer

#: A component's async start and stop, run by the app in order (stopped in reverse).
Lifecycle = tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]


@dataclass(frozen=True)
class AdapterKit:
    """The parts an adapter is built from.

    Attributes:
        settings: Process settings.
        clock: The clock in use (a :class:`~bot.core.clock.FakeClock` when simulated).
        dispatcher: Where invocations go.
        services: The services bundle (sessions, registry, content).
        messenger: Proactive sends; an adapter may register extra senders (console mirrors).
        pacer: The process's one pacer (scheduled posts reserve their slots in it through
            ``Delivery``; an adapter paces only what it sends on its own).
        http: The HTTP server if one is configured (``None`` otherwise).
        ensure_http: The HTTP server, created on first need (Slack's HTTP mode).
        add_component: Run a start/stop pair with the app (after adapters are built).
        advance_time: Moves the simulated clock (``None`` with the real clock).
    """

    settings: Settings
    clock: Clock
    dispatcher: Dispatcher
    services: Services
    messenger: Messenger
    http: Callable[[], HttpServer | None]
    ensure_http: Callable[[], HttpServer]
    add_component: Callable[[Lifecycle], None]
    pacer: Pacer = field(default_factory=Pacer)
    advance_time: Callable[[timedelta], Awaitable[None]] | None = None

    @property
    def registry(self) -> Registry:
        """The command registry (published to Discord, Slack's manifest)."""
        return self.services.registry


AdapterFactory = Callable[[AdapterKit], Adapter]
