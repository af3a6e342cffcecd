"""``studybot slack manifest``: print (or write) the Slack app manifest from the registry."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``slack`` subcommand family."""
    parser = sub.add_parser("slack", help="Slack app: manifest")
    slack_sub = parser.add_subparsers(dest="slack_command", metavar="ACTION", required=True)
    manifest = slack_sub.add_parser(
        "manifest",
        help="print the Slack app manifest (commands, scopes, events) built from the registry",
    )
    mode = manifest.add_mutually_exclusive_group()
    mode.add_argument(
        "--socket-mode",
        action="store_true",
        help="Socket Mode, no public URL needed (the default)",
    )
    mode.add_argument(
        "--request-url",
        metavar="URL",
        help="HTTP mode: the public address of /slack/events, e.g. https://bot.example.org/slack/events",
    )
    manifest.add_argument("--name", default=None, help="app and bot user name (default: studybot)")
    manifest.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    manifest.set_defaults(handler=print_manifest)


def print_manifest(args: argparse.Namespace) -> int:
    """Render the manifest; exit 2 on a request URL that is not an https:// URL.

    Slack only sends events and commands to https addresses, so an http:// URL would give
    a manifest Slack refuses; say so here instead.
    """
    from bot.adapters.slack.manifest import APP_NAME, render_manifest
    from bot.core.commands import Registry
    from bot.features import all_routers

    url = args.request_url
    if url is not None and (not url.startswith("https://") or len(url) <= len("https://")):
        hint = " (Slack only calls https addresses)" if url.startswith("http://") else ""
        print(
            "studybot: --request-url must be a full https:// URL such as "
            f"https://bot.example.org/slack/events, not {url!r}{hint}",
            file=sys.stderr,
        )
        return 2
    text = render_manifest(Registry(all_routers()), request_url=url, name=args.name or APP_NAME)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0
