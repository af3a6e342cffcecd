"""The ports the core talks through: the adapter contract and the send errors.

The core owns these so that nothing under ``bot/core``, ``bot/features``,
``bot/scheduling``, ``bot/streaks`` or ``bot/content`` imports an adapter: adapters
implement :class:`Adapter` (``bot/adapters/base.py`` re-exports it for them) and raise
:class:`SendError`; the messenger, the scheduler and readiness checks only see this module.
The clock port is :class:`bot.core.clock.Clock`.

Inbound traffic is not an adapter method: an adapter builds an
:class:`~bot.core.models.Invocation` and calls ``dispatcher.handle(invocation, responder)``
after acknowledging the platform (ack first, work second).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Protocol

from bot.core.commands import Registry
from bot.core.models import Destination, Platform, Reply, SentRef


class Component(Protocol):
    """A long-lived service the composition root starts with the app and stops after it."""

    async def start(self) -> None:
        """Begin work (connect, spawn tasks)."""
        ...

    async def stop(self) -> None:
        """Finish or hand off work and release resources."""
        ...


class Capability(StrEnum):
    """Optional things a platform can do; the core degrades gracefully without them."""

    EPHEMERAL = "ephemeral"
    BUTTONS = "buttons"
    DIRECT_MESSAGES = "direct_messages"
    FILES = "files"


class SendError(Exception):
    """A message could not be delivered: the one delivery failure type.

    Adapters raise it for one failed attempt; the scheduler's delivery raises it again,
    with ``maybe_delivered`` filled in, when it gives up, and the posting code records it.

    Attributes:
        permanent: Retrying will not help (no access to the channel, DMs closed).
        code: The platform's error code or name, for logs and ``/admin schedule``.
        retry_after: Seconds the platform asked us to wait, for rate limits.
        maybe_delivered: Whether an attempt may have created the message anyway: one the
            platform never answered (a timeout can happen after it stored the message).
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        code: str | None = None,
        retry_after: float | None = None,
        maybe_delivered: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after
        self.maybe_delivered = maybe_delivered


class DirectMessagesClosed(SendError):
    """The user does not accept direct messages from the bot (Discord 50007 and alikes)."""

    def __init__(
        self, message: str = "direct messages are closed", code: str = "dm_closed"
    ) -> None:
        super().__init__(message, permanent=True, code=code)


class Adapter(ABC):
    """One connection to a chat platform, with a small async lifecycle."""

    platform: Platform
    capabilities: frozenset[Capability] = frozenset()

    def __init__(self) -> None:
        self.ready = asyncio.Event()
        self.closed = asyncio.Event()

    @abstractmethod
    async def start(self) -> None:
        """Connect and begin delivering invocations; returns once connected."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop taking new invocations and close connections."""

    @abstractmethod
    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Send a proactive message; raise :class:`SendError` when it cannot be delivered.

        ``idempotency_key`` is stable for one logical post (e.g. a ledger row), so a retry
        after an uncertain failure does not create a second message where the platform
        supports it (Discord ``nonce`` with ``enforce_nonce``; Slack metadata lookup).
        """

    async def publish_commands(self, registry: Registry) -> None:  # noqa: B027
        """Register commands with the platform, where that is a runtime action."""

    async def wait_closed(self) -> None:
        """Wait until the adapter has stopped (console: end of input)."""
        await self.closed.wait()
