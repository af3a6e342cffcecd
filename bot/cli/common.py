"""Helpers shared by the subcommands: settings with CLI overrides, logging."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import LogFormat, Settings, load_settings
from bot.logs import configure_logging


def settings_from(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Load settings from the environment, with command-line flags taking precedence."""
    if getattr(args, "log_format", None):
        overrides["log_format"] = LogFormat(args.log_format)
    if getattr(args, "log_level", None):
        overrides["log_level"] = args.log_level
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    return settings
