"""Builders for each adapter by name; imported lazily so unused SDKs are never loaded."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.adapters.base import Adapter
    from bot.app import AdapterFactory, App


def console_factory(app: App) -> Adapter:
    """The console adapter on stdin/stdout, with time controls for a simulated clock."""
    from bot.adapters.console.adapter import ConsoleAdapter, TimeControl
    from bot.core.clock import FakeClock

    time_control = None
    if isinstance(app.clock, FakeClock):
        time_control = TimeControl(now=app.clock.now, advance=app.advance_time)
    assert app.dispatcher is not None
    return ConsoleAdapter(
        app.dispatcher,
        user=app.settings.console_user,
        output=sys.stdout,
        time_control=time_control,
    )


FACTORIES: dict[str, AdapterFactory] = {"console": console_factory}


def factories_for(names: list[str]) -> list[AdapterFactory]:
    """Factories for the named adapters; unknown names raise a clear error."""
    missing = [n for n in names if n not in FACTORIES]
    if missing:
        raise RuntimeError(f"adapter(s) not available in this build: {', '.join(missing)}")
    return [FACTORIES[n] for n in names]
