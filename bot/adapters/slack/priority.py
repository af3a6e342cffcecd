"""Acks before work: acknowledged work waits while requests are still streaming in.

Slack gives an ack 3 seconds; the work behind it has minutes (a ``response_url`` lives 30).
In a burst, work that starts at once competes with the acks still to be sent: for the event
loop and, through the database driver's thread, for the GIL. So work first waits until no new
request has arrived for :attr:`AckFirst.quiet_period` seconds, but never longer than
:attr:`AckFirst.max_wait`, so a steady stream of requests cannot starve it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class AckFirst:
    """Tracks inbound requests and lets work wait for a lull.

    Args:
        quiet_period: Seconds without a new request that count as a lull.
        max_wait: The longest any work waits for a lull.
        clock: Monotonic seconds (injectable for tests).
        sleep: How to wait (injectable for tests).
    """

    def __init__(
        self,
        quiet_period: float = 0.02,
        max_wait: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.quiet_period = quiet_period
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._last_arrival = float("-inf")

    def arrived(self) -> None:
        """Note that a request has just arrived."""
        self._last_arrival = self._clock()

    async def lull(self) -> None:
        """Return once requests have paused (or ``max_wait`` has passed)."""
        deadline = self._clock() + self.max_wait
        while True:
            now = self._clock()
            quiet_for = now - self._last_arrival
            # A millisecond of slack: sub-millisecond sleeps would only spin.
            if quiet_for >= self.quiet_period - 0.001 or now >= deadline - 0.001:
                return
            await self._sleep(min(self.quiet_period - quiet_for, deadline - now))
