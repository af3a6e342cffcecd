"""An event-loop lag probe: how late a short sleep wakes up, exported as a gauge.

A blocked loop (synchronous I/O, a long computation) delays every command and timer. The
probe sleeps for ``interval`` seconds over and over and records how much later than
asked it woke up in :data:`bot.metrics.EVENT_LOOP_LAG`. It measures real time on purpose:
lag is a property of the running process, not of the (possibly simulated) bot clock.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from bot import metrics

log = logging.getLogger(__name__)

# A loop this late is worth a log line: commands felt it too.
WARN_LAG_S = 0.25


class LoopLagProbe:
    """Measures event-loop lag in the background while started.

    Attributes:
        interval: Seconds between measurements.
        last_lag: The latest measurement in seconds (also in the gauge).
        max_lag: The largest measurement since start.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.last_lag = 0.0
        self.max_lag = 0.0
        self._task: asyncio.Task[None] | None = None

    async def measure(self) -> float:
        """Sleep ``interval`` once and record how late the wake-up was."""
        loop = asyncio.get_running_loop()
        expected = loop.time() + self.interval
        await asyncio.sleep(self.interval)
        lag = max(0.0, loop.time() - expected)
        self.last_lag = lag
        self.max_lag = max(self.max_lag, lag)
        metrics.EVENT_LOOP_LAG.set(lag)
        if lag >= WARN_LAG_S:
            log.warning("event loop was blocked for %.0f ms", lag * 1000)
        return lag

    async def start(self) -> None:
        """Start measuring in a background task."""
        self._task = asyncio.create_task(self._run(), name="loop-lag-probe")

    async def stop(self) -> None:
        """Stop measuring."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.measure()
