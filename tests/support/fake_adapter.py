"""A fake adapter that records structured replies and posts, so feature tests read like a
conversation: ``reply = await bot.cmd("/done built it", user="ann")``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.adapters.base import Adapter, Capability, DirectMessagesClosed, SendError
from bot.core.models import Destination, Platform, Reply, SentRef


@dataclass(frozen=True)
class SentMessage:
    """One proactive message the bot sent."""

    destination: Destination
    reply: Reply
    idempotency_key: str | None
    ref: SentRef


class FakeAdapter(Adapter):
    """Records every proactive send; can be told to fail like a platform would."""

    capabilities = frozenset(
        {Capability.EPHEMERAL, Capability.BUTTONS, Capability.DIRECT_MESSAGES, Capability.FILES}
    )

    def __init__(self, platform: Platform = Platform.CONSOLE) -> None:
        super().__init__()
        self.platform = platform
        self.sent: list[SentMessage] = []
        self.closed_dms: set[str] = set()
        self.forbidden_channels: set[str] = set()
        self.transient_failures: int = 0
        # Each send pops one value and fails like a 429 asking to wait that many seconds.
        self.rate_limits: list[float] = []
        self.started = False
        self._next_id = 0

    async def start(self) -> None:
        self.started = True
        self.ready.set()

    async def stop(self) -> None:
        self.started = False
        self.closed.set()

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        if destination.user_id is not None and destination.user_id in self.closed_dms:
            raise DirectMessagesClosed()
        if destination.channel_id in self.forbidden_channels:
            raise SendError("missing access", permanent=True, code="forbidden")
        if self.transient_failures > 0:
            self.transient_failures -= 1
            raise SendError("server error", code="500")
        if self.rate_limits:
            raise SendError("rate limited", code="429", retry_after=self.rate_limits.pop(0))
        self._next_id += 1
        ref = SentRef(destination.channel_id or f"dm-{destination.user_id}", str(self._next_id))
        self.sent.append(SentMessage(destination, reply, idempotency_key, ref))
        return ref

    def posts(self, channel_id: str | None = None) -> list[SentMessage]:
        """Messages sent to channels (optionally one channel)."""
        return [
            m
            for m in self.sent
            if m.destination.channel_id is not None
            and (channel_id is None or m.destination.channel_id == channel_id)
        ]

    def dms(self, user_id: str | None = None) -> list[SentMessage]:
        """Direct messages sent (optionally to one user)."""
        return [
            m
            for m in self.sent
            if m.destination.user_id is not None
            and (user_id is None or m.destination.user_id == user_id)
        ]
