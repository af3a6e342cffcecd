"""Build the console adapter for an app: stdin/stdout, with time controls when simulated."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bot.adapters.console.adapter import ConsoleAdapter, TimeControl
from bot.core.clock import FakeClock

if TYPE_CHECKING:
    from bot.app import App


def create(app: App) -> ConsoleAdapter:
    """The console adapter on stdin/stdout."""
    time_control = None
    if isinstance(app.clock, FakeClock):
        time_control = TimeControl(now=app.clock.now, advance=app.advance_time)
    if app.dispatcher is None:
        raise RuntimeError("the app must be started before adapters are built")
    return ConsoleAdapter(
        app.dispatcher,
        user=app.settings.console_user,
        output=sys.stdout,
        time_control=time_control,
    )
