"""Outbound pacing: keep scheduled fan-out under each platform's rate limits.

Each send reserves a slot in one or more buckets with the generic cell rate algorithm
(GCRA): a bucket with rate *r* and burst *b* lets a send start no earlier than its
"theoretical arrival time" minus ``(b - 1) / r``. Reserving is synchronous, so concurrent
posting tasks queue in the order they asked (first come, first served), and the only
await is the sleep until the reserved slot.

Default limits (see ``docs/scheduling.md``):

* Discord: 40 requests/s for the whole bot (80% of the documented 50/s global limit);
* Slack: 1 message/s per channel (``chat.postMessage``), 10/s per workspace (Slack does not
  publish the workspace-wide number, so this stays well clear of it);
* console: unpaced.

With several instances each paces itself; their claims split the channels between them,
so together they still reserve one slot per channel.

This is the process's only pacer: the composition root builds one and hands it to
:class:`~bot.scheduling.delivery.Delivery` (every scheduled post) and to the Slack adapter
(late answers it sends on its own). Adapters' ``send`` makes one unpaced attempt, so a post
reserves its slot exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.core.models import Destination, Platform

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Rate:
    """A bucket's sustained rate (per second) and how many sends may go back to back."""

    per_second: float
    burst: int = 1

    @property
    def interval(self) -> float:
        """Seconds between sends at the sustained rate."""
        return 1.0 / self.per_second


@dataclass(frozen=True)
class PacingPolicy:
    """The rates the pacer applies per platform.

    Attributes:
        discord_global: All Discord sends of this process.
        slack_workspace: All Slack sends to one workspace.
        slack_channel: Slack sends to one channel or one user's DMs.
    """

    discord_global: Rate = field(default_factory=lambda: Rate(40.0))
    slack_workspace: Rate = field(default_factory=lambda: Rate(10.0))
    slack_channel: Rate = field(default_factory=lambda: Rate(1.0))

    def buckets(self, destination: Destination) -> list[tuple[str, Rate]]:
        """The buckets a send to ``destination`` must fit in."""
        if destination.platform is Platform.DISCORD:
            return [("discord", self.discord_global)]
        if destination.platform is Platform.SLACK:
            target = destination.channel_id or f"@{destination.user_id}"
            return [
                (f"slack:{destination.space_id}", self.slack_workspace),
                (f"slack:{destination.space_id}:{target}", self.slack_channel),
            ]
        return []

    def backoff_buckets(self, destination: Destination) -> list[str]:
        """The buckets a rate-limit answer for ``destination`` pushes back.

        Only Slack's channel bucket: a Slack 429 names the method and channel. discord.py
        waits out Discord's 429s itself, and backing off the bot-wide bucket would stall
        every other channel.
        """
        if destination.platform is Platform.SLACK:
            return [name for name, _ in self.buckets(destination)[1:]]
        return []


class Pacer:
    """Reserves send slots in named buckets and sleeps until the slot comes."""

    _PRUNE_AT = 10_000

    def __init__(
        self,
        policy: PacingPolicy | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.policy = policy or PacingPolicy()
        self._monotonic = monotonic
        self._sleep = sleep
        self._tat: dict[str, float] = {}
        self._recent: dict[str, deque[float]] = {}

    def reserve(self, buckets: Sequence[tuple[str, Rate]]) -> float:
        """Reserve the earliest slot that fits every bucket; returns seconds to wait."""
        now = self._monotonic()
        start = now
        for name, rate in buckets:
            tat = self._tat.get(name, now)
            start = max(start, tat - (rate.burst - 1) * rate.interval)
        for name, rate in buckets:
            self._tat[name] = max(self._tat.get(name, now), start) + rate.interval
        if len(self._tat) > self._PRUNE_AT:
            self._prune(now)
        return start - now

    async def acquire(self, destination: Destination) -> float:
        """Wait for a slot to send to ``destination``; returns how long it waited."""
        buckets = self.policy.buckets(destination)
        started = self._monotonic()
        delay = self.reserve(buckets)
        if delay > 0:
            await self._sleep(delay)
        await self._cap(buckets)
        return max(self._monotonic() - started, 0.0)

    def back_off(self, destination: Destination, seconds: float) -> None:
        """Push the next send to ``destination`` at least ``seconds`` away (after a 429).

        Sends already waiting keep their slots; later ones queue behind the pause.
        """
        until = self._monotonic() + max(seconds, 0.0)
        for name in self.policy.backoff_buckets(destination):
            self._tat[name] = max(self._tat.get(name, 0.0), until)

    async def _cap(self, buckets: Sequence[tuple[str, Rate]]) -> None:
        # The reservations are spaced evenly, but a busy event loop can wake several late
        # sleepers at once. A hard cap on the sends of the last second (a sliding window)
        # keeps even those under the rate.
        while True:
            now = self._monotonic()
            wait = 0.0
            for name, rate in buckets:
                sent = self._recent.setdefault(name, deque())
                while sent and now - sent[0] >= 1.0:
                    sent.popleft()
                if len(sent) >= max(1, int(rate.per_second)) + rate.burst - 1:
                    wait = max(wait, sent[0] + 1.0 - now)
            if wait <= 0:
                for name, _ in buckets:
                    self._recent[name].append(now)
                return
            await self._sleep(wait)

    def _prune(self, now: float) -> None:
        # A bucket whose theoretical arrival time has passed is indistinguishable from a
        # fresh one, so forgetting it changes nothing.
        self._tat = {name: tat for name, tat in self._tat.items() if tat > now}
        self._recent = {name: sent for name, sent in self._recent.items() if name in self._tat}
