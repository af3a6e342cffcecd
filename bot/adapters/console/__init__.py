"""The console adapter: try the whole bot locally, with no tokens and no servers."""

from bot.adapters.console.adapter import ConsoleAdapter

__all__ = ["ConsoleAdapter"]
