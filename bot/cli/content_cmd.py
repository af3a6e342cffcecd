"""``studybot content check [DIR]``: validate content and report every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from bot.config import load_settings
from bot.content.loader import coverage_problems, load_content
from bot.core.errors import ContentError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``content`` subcommand family."""
    parser = sub.add_parser("content", help="learning content: check")
    content_sub = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check_parser = content_sub.add_parser("check", help="validate a content folder")
    check_parser.add_argument(
        "dir",
        nargs="?",
        help="folder to check (default: STUDYBOT_CONTENT_DIR, else the bundled content)",
    )
    check_parser.add_argument(
        "--strict",
        action="store_true",
        help="also require the shipped coverage (8 challenges per step, every level per phase)",
    )
    check_parser.set_defaults(handler=check)


#: What a content folder holds at its top (the bundled layout); one is enough.
CONTENT_ENTRIES = ("roadmap", "challenges", "tips", "projects.yaml", "projects")
#: Top-level keys of a content file, for folders laid out as a few files.
CONTENT_KEYS = frozenset({"phases", "steps", "routines", "challenges", "tips", "projects"})


def is_content_dir(root: Path) -> bool:
    """Whether ``root`` looks like a content folder (not, say, ``/tmp`` or a home folder).

    Checking a random folder would validate every YAML file below it and report hundreds
    of problems that say nothing; a clear refusal is more useful.
    """
    if any((root / entry).exists() for entry in CONTENT_ENTRIES):
        return True
    for path in sorted(root.glob("*.y*ml"))[:20]:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and CONTENT_KEYS & set(data):
            return True
    return False


def check(args: argparse.Namespace) -> int:
    """Exit 0 with a summary line when valid, 1 with every problem listed otherwise."""
    # Without DIR: STUDYBOT_CONTENT_DIR, exactly as `studybot run` reads it.
    root = Path(args.dir) if args.dir else load_settings().content_dir
    if not root.is_dir():
        print(f"studybot: {root} is not a folder: give a content folder (see docs/content.md)")
        return 1
    if not is_content_dir(root):
        print(
            f"studybot: {root} is not a content folder (no roadmap/, challenges/, tips/ or "
            "projects.yaml, and no YAML file with phases, steps, challenges, tips or projects); "
            "give a content folder (see docs/content.md)"
        )
        return 1
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
