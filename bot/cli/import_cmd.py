"""``studybot import streaks FILE``: bring members' streaks over from another bot.

Every row is checked first. If any row is wrong, every problem is listed with its line
number and nothing is written; otherwise the whole file is written in one transaction.
``--dry-run`` checks and shows what would change without writing.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import settings_from
from bot.db.engine import create_engine, create_session_factory
from bot.ops import streak_csv, streak_import
from bot.ops.progress import progress_bar

# Small files finish before a progress bar would be worth drawing.
PROGRESS_FROM = 200


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` subcommand family."""
    parser = sub.add_parser("import", help="import data from another bot: streaks")
    import_sub = parser.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    streaks = import_sub.add_parser(
        "streaks",
        help="members' current/longest streaks from a CSV file",
        description=(
            "CSV columns: platform, space, user_id, display_name, current_streak, "
            "longest_streak, last_checkin (YYYY-MM-DD). All rows are checked first; any "
            "bad row means nothing is written."
        ),
    )
    streaks.add_argument("file", help="the CSV file")
    streaks.add_argument("--platform", choices=streak_csv.PLATFORMS, help="for every row")
    streaks.add_argument("--space", help="Discord server id / Slack team id for every row")
    streaks.add_argument("--dry-run", action="store_true", help="check and show, write nothing")
    streaks.set_defaults(handler=import_streaks)


def import_streaks(args: argparse.Namespace) -> int:
    """Check the file, then write it all (or report every problem and write nothing)."""
    settings = settings_from(args)
    path = Path(args.file)
    now = datetime.now(UTC)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            parsed = streak_csv.parse(
                handle, today=now.date(), platform=args.platform, space=args.space
            )
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        return 1
    for note in parsed.notes:
        print(f"note: {note}", file=sys.stderr)
    code = asyncio.run(_run(settings.database_url, path, parsed, args.dry_run, now))
    return code


async def _run(
    database_url: str, path: Path, parsed: streak_csv.ParsedFile, dry_run: bool, now: datetime
) -> int:
    engine = create_engine(database_url)
    try:
        # Closing the session without a commit rolls back: bad files and dry runs write
        # nothing, and a failure half-way through writing leaves nothing behind either.
        async with create_session_factory(engine)() as session:
            with progress_bar(enabled=len(parsed.rows) >= PROGRESS_FROM) as progress:
                task = progress.add_task("checking rows", total=len(parsed.rows))
                planned = await streak_import.plan(
                    session, parsed.rows, step=lambda: progress.advance(task)
                )
            errors = sorted(parsed.errors + planned.errors, key=lambda e: e.line)
            if errors:
                for error in errors:
                    print(str(error), file=sys.stderr)
                bad = len({e.line for e in errors})
                print(
                    f"error: {bad} bad row(s) in {path}; nothing was imported. "
                    "Fix them and run the import again.",
                    file=sys.stderr,
                )
                return 1
            with progress_bar(enabled=len(parsed.rows) >= PROGRESS_FROM) as progress:
                task = progress.add_task("writing", total=len(planned.rows))
                imported = await streak_import.apply(
                    session,
                    planned,
                    source=path.name,
                    actor=_operator(),
                    now=now,
                    step=lambda: progress.advance(task),
                )
            new_members = sum(item.new_member for item in imported)
            if dry_run:
                # The dry run made the very writes an import makes; closing rolls them back.
                for item in imported:
                    print(item.describe())
                print(
                    f"dry run: {len(imported)} row(s) ok, {new_members} new member(s); "
                    "nothing was written"
                )
                return 0
            await session.commit()
        print(
            f"imported {len(imported)} streak(s) from {path} ({new_members} new member(s)); "
            "recorded in the audit log"
        )
        return 0
    finally:
        await engine.dispose()


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli"
