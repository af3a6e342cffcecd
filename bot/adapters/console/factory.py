"""Build the console adapter for an app: stdin/stdout, with time controls when simulated.

The console also plays Discord and Slack spaces (``:as NAME --platform discord``); posts
to those simulated spaces are printed by a :class:`ConsoleMirror` registered as the sender
for that platform, but only when the real adapter is not running and the database holds
no real space of that platform: otherwise the scheduler would "send" a real server's
posts to the terminal and mark them sent in the ledger.
"""

from __future__ import annotations

import logging
import sys

from bot.adapters.base import Adapter
from bot.adapters.console.adapter import ConsoleAdapter, TimeControl
from bot.adapters.kit import AdapterKit
from bot.core.clock import FakeClock
from bot.core.models import Destination, Platform, Reply, SentRef
from bot.db.repositories.spaces import platforms_with_spaces

log = logging.getLogger(__name__)

#: External ids of the spaces the console simulates start with this.
SIMULATED_PREFIX = "console-"
#: Platforms the console can play (``:as NAME --platform discord|slack``).
SIMULATED = (Platform.DISCORD, Platform.SLACK)


class ConsoleMirror(Adapter):
    """Sends for a platform the console is playing, by printing through the console.

    Registered with the messenger only (not started or stopped by the app); a real
    adapter registered for the platform replaces it.
    """

    def __init__(self, console: ConsoleAdapter, platform: Platform) -> None:
        super().__init__()
        self.platform = platform
        self.capabilities = console.capabilities
        self._console = console
        self.ready.set()

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to close."""
        self.closed.set()

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Print the post through the console."""
        return await self._console.send(destination, reply, idempotency_key=idempotency_key)


def create(kit: AdapterKit) -> ConsoleAdapter:
    """The console adapter on stdin/stdout (and the printer for its simulated platforms)."""
    time_control = None
    if isinstance(kit.clock, FakeClock) and kit.advance_time is not None:
        time_control = TimeControl(now=kit.clock.now, advance=kit.advance_time)
    console = ConsoleAdapter(
        kit.dispatcher,
        user=kit.settings.console_user,
        output=sys.stdout,
        time_control=time_control,
        image_dir=kit.settings.data_dir / "cards",
    )

    async def register_mirrors() -> None:
        # Runs as a component, i.e. after every adapter is registered and before the
        # scheduler's first catch-up (which waits for the adapters to be ready).
        async with kit.services.sessions() as session:
            real = await platforms_with_spaces(session, except_prefix=SIMULATED_PREFIX)
        for platform in SIMULATED:
            if platform in kit.messenger.platforms():
                continue
            if platform.value in real:
                log.info("console: not printing %s posts (real spaces exist)", platform.value)
                continue
            kit.messenger.register(ConsoleMirror(console, platform))

    async def nothing() -> None:
        """Mirrors hold no resources."""

    kit.add_component((register_mirrors, nothing))
    return console
