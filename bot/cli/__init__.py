"""``studybot`` command line: one module per subcommand family, each with ``register``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from bot import __version__
from bot.cli import (
    content_cmd,
    db_cmd,
    discord_cmd,
    export_cmd,
    import_cmd,
    run_cmd,
    slack_cmd,
)
from bot.cli.errors import report

# Listed, not found by a package scan: adding a subcommand family is adding its module here
# (tests/cli/test_subcommands_listed.py fails for a module with ``register`` left out).
SUBCOMMANDS: tuple[ModuleType, ...] = (
    run_cmd,
    db_cmd,
    content_cmd,
    discord_cmd,
    export_cmd,
    import_cmd,
    slack_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="studybot",
        description="A study-group bot for backend learners on Discord, Slack and the console.",
    )
    parser.add_argument("--version", action="version", version=f"studybot {__version__}")
    _add_global_options(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    _accept_global_options_everywhere(sub)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """``--log-format``, ``--log-level`` and ``--debug``, before or after the subcommand."""
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=default,
        help="log line format (default: text)",
    )
    parser.add_argument("--log-level", default=default, help="logging level (default: INFO)")
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default if default is argparse.SUPPRESS else False,
        help="on an error, print the full trace too",
    )


def _accept_global_options_everywhere(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    # SUPPRESS: a subcommand's parser sets the option only when it is given there, so
    # `studybot --log-format json run` is not undone by the subparser's default.
    for parser in set(sub.choices.values()):
        _add_global_options(parser, default=argparse.SUPPRESS)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _accept_global_options_everywhere(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``studybot`` console script and ``python -m bot``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # every failure becomes one line; the trace with --debug
        return report(exc, debug=bool(getattr(args, "debug", False)))


if __name__ == "__main__":
    sys.exit(main())
