"""``studybot content check [DIR]``: validate content and report every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import BUNDLED_CONTENT_DIR
from bot.content.loader import coverage_problems, load_content
from bot.core.errors import ContentError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``content`` subcommand family."""
    parser = sub.add_parser("content", help="learning content: check")
    content_sub = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check_parser = content_sub.add_parser("check", help="validate a content folder")
    check_parser.add_argument("dir", nargs="?", help="folder to check (default: bundled content)")
    check_parser.add_argument(
        "--strict",
        action="store_true",
        help="also require the shipped coverage (8 challenges per step, every level per phase)",
    )
    check_parser.set_defaults(handler=check)


def check(args: argparse.Namespace) -> int:
    """Exit 0 with a summary line when valid, 1 with every problem listed otherwise."""
    root = Path(args.dir) if args.dir else BUNDLED_CONTENT_DIR
    try:
        bundle = load_content(root)
    except ContentError as exc:
        print(exc.report())
        print(f"content invalid: {len(exc.problems)} problem(s) in {root}")
        return 1
    problems = coverage_problems(bundle) if args.strict else []
    if problems:
        print("\n".join(problems))
        print(f"content invalid: {len(problems)} coverage problem(s) in {root}")
        return 1
    print(f"content ok: {bundle.summary()}")
    return 0
