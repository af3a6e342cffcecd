"""``studybot run``: start the bot with the chosen adapters."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App, choose_adapters
from bot.cli.common import settings_from
from bot.cli.errors import CliError
from bot.config import AdapterChoice, Settings, load_settings
from bot.core.clock import Clock, FakeClock, SystemClock
from bot.core.errors import ContentError
from bot.logs import log_to_file, logs_to_file


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` subcommand."""
    parser = sub.add_parser("run", help="start the bot (console when no platform token is set)")
    parser.add_argument(
        "--adapter",
        choices=[c.value for c in AdapterChoice],
        default="auto",
        help="which platform(s) to serve; auto = those with tokens, else the console",
    )
    parser.add_argument(
        "--simulated-clock",
        nargs="?",
        const="now",
        metavar="ISO-START",
        help="console: start a movable clock (e.g. 2026-03-02T08:00Z); :advance moves it",
    )
    parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations")
    parser.add_argument("--content-dir", help="content folder (default: bundled content)")
    parser.set_defaults(handler=run)


def parse_start(value: str) -> datetime:
    """Parse ``--simulated-clock``'s start: ``now`` or an ISO date/time (UTC if naive).

    Raises:
        CliError: the value is not a date or date and time.
    """
    if value == "now":
        return datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CliError(
            f"--simulated-clock {value!r} is not a date and time ({exc}); "
            "write it like 2026-03-02T07:00Z (or leave it out to start now)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def database_is_named() -> bool:
    """Whether the person chose a database (``DATABASE_URL`` in the environment or .env)."""
    return load_settings().database_url_override is not None


def run(args: argparse.Namespace) -> int:
    """Run until stopped; returns a process exit status."""
    overrides: dict[str, object] = {}
    if args.no_migrate:
        overrides["auto_migrate"] = False
    if args.content_dir:
        overrides["content_dir"] = args.content_dir
    clock: Clock = SystemClock()
    with ExitStack() as cleanup:
        if args.simulated_clock:
            clock = FakeClock(parse_start(args.simulated_clock))
            if not database_is_named():
                # Simulated days must not land in the real database (and the real one's
                # posting state would hide the simulated morning's posts).
                tmp = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="studybot-"))
                folder = Path(tmp)
                overrides["database_url_override"] = f"sqlite+aiosqlite:///{folder / 'sim.db'}"
                print(
                    "studybot: simulated clock: using a throwaway database "
                    "(set DATABASE_URL to keep one)",
                    file=sys.stderr,
                )
        return _run(args, settings_from(args, **overrides), clock)


def _run(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    names = choose_adapters(AdapterChoice(args.adapter), settings)
    if logs_to_file(names, sys.stdin):
        path = log_to_file(settings.data_dir, settings.log_format)
        print(f"studybot: logs go to {path.resolve()} (warnings show here too)", file=sys.stderr)
    app = App(settings=settings, clock=clock)
    from bot.adapters.factories import factories_for

    app.adapter_factories = factories_for(names)
    try:
        asyncio.run(app.run())
    except ContentError as exc:
        print(
            "studybot will not start: the content has problems:\n" + exc.report(), file=sys.stderr
        )
        return 2
    except RuntimeError as exc:
        print(f"studybot will not start: {exc}", file=sys.stderr)
        return 2
    return 0
