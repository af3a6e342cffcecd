"""Build the Discord adapter for an app (``studybot run --adapter discord``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.client import parse_shard_ids

if TYPE_CHECKING:
    from bot.app import App


def create(app: App, **options: Any) -> DiscordAdapter:
    """The Discord adapter for ``app``; ``options`` go to :class:`DiscordAdapter` (tests)."""
    if app.dispatcher is None:
        raise RuntimeError("the app must be started before adapters are built")
    if not app.settings.discord_configured:
        raise RuntimeError("set DISCORD_TOKEN to run the Discord adapter")
    try:
        parse_shard_ids(app.settings.discord_shard_ids, app.settings.discord_shards)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    return DiscordAdapter(app.dispatcher, app.settings, app.require_services().registry, **options)
