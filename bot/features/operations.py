"""Operations: readiness checks and the event-loop lag probe on the shared HTTP server.

Whenever the app has an HTTP server (``STUDYBOT_HTTP_PORT`` set, or Slack's HTTP mode),
``/readyz`` checks the database, the adapters, the content and that the process is not
shutting down, and ``/metrics`` includes the event-loop lag. Without a server nothing
extra runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ops import readiness
from bot.ops.loop_lag import LoopLagProbe

if TYPE_CHECKING:
    from bot.app import App


def install(app: App) -> None:
    """Add a component that wires the checks and runs the probe once the app starts."""
    probe = LoopLagProbe()

    async def start() -> None:
        # Components start after the adapters are built, so a server that Slack's HTTP
        # mode created on demand is there by now.
        if app.http is None:
            return
        readiness.register(app, app.http)
        app.require_services().extras["loop_lag_probe"] = probe
        await probe.start()

    async def stop() -> None:
        await probe.stop()

    app.components.append((start, stop))
