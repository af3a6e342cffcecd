"""``studybot db …``: migrations, backup and restore, copy to another database."""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.exc import DBAPIError

from bot.cli import db_tools
from bot.cli.common import settings_from
from bot.db import migrate
from bot.db.engine import create_engine


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``db`` subcommand family."""
    parser = sub.add_parser(
        "db", help="database: upgrade, downgrade, current, backup, restore, copy"
    )
    db_sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="apply pending migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=upgrade)
    down = db_sub.add_parser("downgrade", help="revert migrations to REVISION (e.g. base)")
    down.add_argument("revision")
    down.set_defaults(handler=downgrade)
    cur = db_sub.add_parser("current", help="show the database's revision")
    cur.set_defaults(handler=current)
    wait_parser = db_sub.add_parser(
        "wait",
        help="wait until the database is reachable and fully migrated (a deployment's init step)",
    )
    wait_parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait (default 300; 0 checks once)"
    )
    wait_parser.set_defaults(handler=wait)
    db_tools.add_parsers(db_sub)


def upgrade(args: argparse.Namespace) -> int:
    """Apply migrations up to the given revision."""
    settings = settings_from(args)

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrate.upgrade(engine, args.revision)
            print(f"database at {await migrate.current_revision(engine)}")
        finally:
            await engine.dispose()

    asyncio.run(go())
    return 0


def downgrade(args: argparse.Namespace) -> int:
    """Revert migrations down to the given revision."""
    settings = settings_from(args)

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrate.downgrade(engine, args.revision)
            print(f"database at {await migrate.current_revision(engine) or 'base'}")
        finally:
            await engine.dispose()

    asyncio.run(go())
    return 0


def current(args: argparse.Namespace) -> int:
    """Print the current and head revisions."""
    settings = settings_from(args)

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            rev = await migrate.current_revision(engine)
            print(f"current: {rev or 'base (empty)'}  head: {migrate.head_revision()}")
        finally:
            await engine.dispose()

    asyncio.run(go())
    return 0


#: Seconds between two looks at the database while waiting.
WAIT_INTERVAL = 2.0


def wait(args: argparse.Namespace) -> int:
    """Exit 0 once the schema is at head; 1 when ``--timeout`` passes first.

    Kubernetes runs this as the Deployment's init container, so pods start only after the
    migration Job has upgraded the schema (``STUDYBOT_AUTO_MIGRATE=false`` there).
    """
    settings = settings_from(args)
    head = migrate.head_revision()

    async def go() -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, args.timeout)
        engine = create_engine(settings.database_url)
        seen = "unreachable"
        try:
            while True:
                try:
                    if await migrate.is_up_to_date(engine):
                        return "ready"
                    seen = f"at {await migrate.current_revision(engine) or 'base'}"
                except (OSError, DBAPIError) as exc:
                    seen = f"unreachable ({type(exc).__name__})"
                if loop.time() >= deadline:
                    return seen
                await asyncio.sleep(WAIT_INTERVAL)
        finally:
            await engine.dispose()

    state = asyncio.run(go())
    if state == "ready":
        print(f"database at {head}")
        return 0
    print(
        f"studybot: the database is {state}, not at {head}, after {args.timeout:g} s: "
        "run `studybot db upgrade` (the migration Job) first",
        file=sys.stderr,
    )
    return 1
