"""The event-loop lag probe notices a blocked loop and exports it."""

from __future__ import annotations

import asyncio
import time

from bot import metrics
from bot.ops.loop_lag import LoopLagProbe


async def test_probe_measures_a_blocked_loop() -> None:
    probe = LoopLagProbe(interval=0.01)
    measuring = asyncio.create_task(probe.measure())
    await asyncio.sleep(0)  # the probe is now asleep
    time.sleep(0.2)  # block the loop on purpose, as synchronous I/O would  # noqa: ASYNC251
    lag = await measuring
    assert lag >= 0.15
    assert probe.max_lag == lag
    assert metrics.REGISTRY.get_sample_value("studybot_event_loop_lag_seconds") == lag


async def test_probe_runs_in_the_background_until_stopped() -> None:
    probe = LoopLagProbe(interval=0.001)
    await probe.start()
    await asyncio.sleep(0)  # the probe task is now asleep
    blocked_until = time.monotonic() + 0.05
    while time.monotonic() < blocked_until:  # a busy loop: the probe must wake up late
        pass
    for _ in range(1000):
        if probe.max_lag > 0.03:
            break
        await asyncio.sleep(0.001)
    await probe.stop()
    assert probe.max_lag >= 0.03
    assert [t for t in asyncio.all_tasks() if t.get_name() == "loop-lag-probe"] == []
