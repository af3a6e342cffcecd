"""``studybot db …``: migrations, backup and restore, copy to another database."""

from __future__ import annotations

import argparse
import asyncio

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
