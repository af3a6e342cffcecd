"""The CLI's subcommand families are listed in ``bot.cli.SUBCOMMANDS``, not found by a scan."""

from __future__ import annotations

import importlib
import pkgutil

import bot.cli
from bot.cli import SUBCOMMANDS, build_parser


def test_every_module_with_register_is_listed() -> None:
    with_register = set()
    for info in pkgutil.iter_modules(bot.cli.__path__):
        module = importlib.import_module(f"bot.cli.{info.name}")
        if callable(getattr(module, "register", None)):
            with_register.add(module.__name__)
    listed = {module.__name__ for module in SUBCOMMANDS}
    assert listed == with_register, "add the module to bot.cli.SUBCOMMANDS"


def test_the_parser_offers_each_family() -> None:
    help_text = build_parser().format_help()
    for name in ("run", "db", "content", "discord", "export", "import", "slack"):
        assert name in help_text
