"""BotHarness: the real App (dispatcher, database, content, features) with fake adapters
and a fake clock, driven like a conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.models import (
    Actor,
    Button,
    Invocation,
    InvocationKind,
    Platform,
    Reply,
    SpaceRef,
)
from bot.core.services import Services
from tests.support.fake_adapter import FakeAdapter

DEFAULT_SPACES = {
    Platform.CONSOLE: SpaceRef(Platform.CONSOLE, "console", "Console study group"),
    Platform.DISCORD: SpaceRef(Platform.DISCORD, "900000000000000001", "Discord guild"),
    Platform.SLACK: SpaceRef(Platform.SLACK, "T0TEAM", "Slack workspace"),
}


@dataclass
class BotHarness:
    """Drives a started :class:`App` through fake adapters.

    Attributes:
        app: The real app, started with fake adapters for every platform.
        clock: The fake clock the app uses.
        adapters: The fake adapter per platform.
        moderators: Users treated as platform admins (``user=`` names).
    """

    app: App
    clock: FakeClock
    adapters: dict[Platform, FakeAdapter]
    moderators: set[str] = field(default_factory=lambda: {"mod"})
    replies: list[Reply] = field(default_factory=list)

    @property
    def services(self) -> Services:
        return self.app.require_services()

    @property
    def adapter(self) -> FakeAdapter:
        """The console fake adapter (the default platform)."""
        return self.adapters[Platform.CONSOLE]

    def invocation(
        self,
        command: str,
        text: str | None,
        *,
        user: str = "ann",
        platform: Platform = Platform.CONSOLE,
        space: SpaceRef | None = None,
        moderator: bool | None = None,
        roles: frozenset[str] = frozenset(),
        args: dict[str, object] | None = None,
        kind: InvocationKind = InvocationKind.COMMAND,
        channel: str = "general",
    ) -> Invocation:
        """Build an invocation as an adapter would."""
        is_mod = user in self.moderators if moderator is None else moderator
        return Invocation(
            platform=platform,
            space=space or DEFAULT_SPACES[platform],
            actor=Actor(user_id=user, display_name=user, is_admin=is_mod, roles=roles),
            command=command,
            channel_id=channel,
            text=text,
            args=args,
            kind=kind,
        )

    async def cmd(self, line: str, **options: object) -> Reply:
        """Run a typed command line (``"/roadmap caching"``) and return the reply."""
        if not line.startswith("/"):
            raise ValueError("commands start with /")
        command, _, text = line[1:].partition(" ")
        invocation = self.invocation(command, text, **options)  # type: ignore[arg-type]
        assert self.app.dispatcher is not None
        reply = await self.app.dispatcher.dispatch(invocation)
        self.replies.append(reply)
        return reply

    async def press(self, button: Button, **options: object) -> Reply:
        """Press a button as a user would."""
        invocation = self.invocation(
            button.action_id,
            None,
            args={"value": button.value},
            kind=InvocationKind.ACTION,
            **options,  # type: ignore[arg-type]
        )
        assert self.app.dispatcher is not None
        reply = await self.app.dispatcher.dispatch(invocation)
        self.replies.append(reply)
        return reply

    async def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock, running whatever falls due (like ``:advance`` in the console)."""
        await self.app.advance_time(delta or timedelta(**kwargs))
        return self.clock.now()
