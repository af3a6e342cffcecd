"""``studybot db backup | restore | copy``: the database tools an operator runs.

Parsers are added by :mod:`bot.cli.db_cmd`; this module holds the handlers. Each prints
a short result on standard output and returns 0, or prints what went wrong and what to
do on standard error and returns non-zero. Nothing here prints a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bot.cli.common import settings_from
from bot.db import dbcopy, sqlite_backup
from bot.ops.progress import progress_bar


def add_parsers(db_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``backup``, ``restore`` and ``copy`` to the ``db`` subcommand family."""
    backup = db_sub.add_parser(
        "backup", help="online backup of the SQLite database (safe while the bot runs)"
    )
    backup.add_argument("path", help="backup file, or a folder for a time-stamped file")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    backup.set_defaults(handler=backup_cmd)
    restore = db_sub.add_parser(
        "restore", help="replace the SQLite database with a backup (stop the bot first)"
    )
    restore.add_argument("path", help="the backup file")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(handler=restore_cmd)
    copy = db_sub.add_parser(
        "copy", help="copy every row to another database (e.g. SQLite to PostgreSQL)"
    )
    copy.add_argument("--from", dest="source", help="source URL (default: DATABASE_URL)")
    copy.add_argument("--to", dest="target", required=True, help="target URL")
    copy.add_argument(
        "--batch", type=int, default=dbcopy.DEFAULT_BATCH, help="rows per insert (default 1000)"
    )
    copy.set_defaults(handler=copy_cmd)


def backup_cmd(args: argparse.Namespace) -> int:
    """Back up the configured SQLite database to ``args.path``."""
    settings = settings_from(args)
    try:
        db_path = sqlite_backup.sqlite_path(settings.database_url)
        target = Path(args.path)
        if args.path.endswith(("/", os.sep)):  # "backups/" means a folder, even a new one
            target.mkdir(parents=True, exist_ok=True)
        snapshot = sqlite_backup.backup(db_path, target, overwrite=args.force)
    except sqlite_backup.BackupError as exc:
        return _fail(str(exc))
    rows = sum(snapshot.tables.values())
    print(
        f"backup written: {snapshot.path} ({snapshot.size:,} bytes, {rows:,} rows, "
        f"revision {snapshot.revision or 'none'}, integrity ok)"
    )
    return 0


def restore_cmd(args: argparse.Namespace) -> int:
    """Replace the configured SQLite database with the backup at ``args.path``."""
    settings = settings_from(args)
    try:
        db_path = sqlite_backup.sqlite_path(settings.database_url)
        if not args.yes and not sys.stdin.isatty():
            return _fail("a restore replaces the database: pass --yes to confirm")
        if not args.yes and not _confirm(f"Replace {db_path} with {args.path}? [y/N] "):
            return _fail("restore cancelled; nothing was changed")
        snapshot = sqlite_backup.restore(Path(args.path), db_path)
    except sqlite_backup.BackupError as exc:
        return _fail(str(exc))
    if snapshot.previous is not None:
        print(f"the previous database was saved as {snapshot.previous}")
    rows = sum(snapshot.tables.values())
    print(
        f"restored {snapshot.path} from {args.path} ({rows:,} rows, revision "
        f"{snapshot.revision or 'none'}, integrity ok); start the bot again to use it"
    )
    return 0


def copy_cmd(args: argparse.Namespace) -> int:
    """Copy every row from ``--from`` (default: the configured database) to ``--to``."""
    settings = settings_from(args)
    source = args.source or settings.database_url
    print(f"copying {dbcopy.display_url(source)} -> {dbcopy.display_url(args.target)}")
    try:
        with progress_bar() as progress:
            counts = asyncio.run(
                dbcopy.copy_database(source, args.target, batch=args.batch, progress=progress)
            )
    except dbcopy.CopyError as exc:
        return _fail(str(exc))
    except (OSError, ConnectionError) as exc:
        return _fail(f"cannot reach a database: {exc}")
    width = max(len(c.table) for c in counts)
    print(f"{'table':<{width}}  {'source':>9}  {'target':>9}")
    for count in counts:
        flag = "" if count.matches else "  MISMATCH"
        print(f"{count.table:<{width}}  {count.source:>9,}  {count.target:>9,}{flag}")
    bad = [c.table for c in counts if not c.matches]
    if bad:
        return _fail(
            f"row counts differ in {', '.join(bad)}: the target was not empty, or the source "
            "changed during the copy (copy from a backup, or stop the bot, and run it again)"
        )
    total = sum(c.source for c in counts)
    print(f"copy verified: {total:,} rows in {len(counts)} tables match. Running it again is safe.")
    return 0


def _confirm(question: str) -> bool:
    return input(question).strip().lower() in ("y", "yes")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1
