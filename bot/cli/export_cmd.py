"""``studybot export --group ID|NAME --format json|csv``: take a group's data out."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.cli.common import settings_from
from bot.ops.export import export_group
from bot.ops.groups import GroupNotFound
from bot.ops.progress import progress_bar


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``export`` subcommand."""
    parser = sub.add_parser(
        "export",
        help="export a group: members, check-ins, streaks, settings, audit log",
        description=(
            "Export everything about one group. JSON is one document; CSV is a zip with one "
            "file per section, including streaks.csv in the format `studybot import streaks` "
            "reads."
        ),
    )
    parser.add_argument("--group", required=True, help="the group's id or name")
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument(
        "--output",
        help="file to write (default: studybot-export-<id>-<date>.json|.zip; - for stdout)",
    )
    parser.set_defaults(handler=export_cmd)


def export_cmd(args: argparse.Namespace) -> int:
    """Write the export and print where it went and what it holds."""
    settings = settings_from(args)
    now = datetime.now(UTC)
    to_stdout = args.output == "-"
    try:
        with progress_bar(enabled=not to_stdout) as progress:
            summary = asyncio.run(
                export_group(
                    settings.database_url,
                    args.group,
                    args.format,
                    args.output,
                    now,
                    progress=progress,
                )
            )
    except (GroupNotFound, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n} {name}" for name, n in summary.counts.items())
    where = "standard output" if summary.path is None else str(summary.path)
    print(
        f"exported group {summary.group_id} ({summary.group_name}) to {where}: {counts}",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
