"""Routes proactive messages to the adapter of the destination's platform."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.models import Destination, Platform, Reply, SentRef

if TYPE_CHECKING:
    from bot.core.ports import Adapter


class NoAdapter(LookupError):
    """No running adapter serves the destination's platform."""


class Messenger:
    """Sends replies to destinations through whichever adapters are running."""

    def __init__(self) -> None:
        self._adapters: dict[Platform, Adapter] = {}

    def register(self, adapter: Adapter) -> None:
        """Make ``adapter`` the sender for its platform."""
        self._adapters[adapter.platform] = adapter

    def platforms(self) -> set[Platform]:
        """Platforms that can be sent to right now."""
        return set(self._adapters)

    def adapter(self, platform: Platform) -> Adapter:
        """The adapter for ``platform``."""
        try:
            return self._adapters[platform]
        except KeyError:
            raise NoAdapter(f"no adapter is running for {platform.value}") from None

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Send ``reply`` to ``destination``; adapter errors propagate to the caller."""
        return await self.adapter(destination.platform).send(
            destination, reply, idempotency_key=idempotency_key
        )
