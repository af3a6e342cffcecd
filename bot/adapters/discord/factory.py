"""Build the Discord adapter for an app (``studybot run --adapter discord``)."""

from __future__ import annotations

from typing import Any

from bot.adapters.discord.adapter import DiscordAdapter
from bot.adapters.discord.client import parse_shard_ids
from bot.adapters.kit import AdapterKit


def create(kit: AdapterKit, **options: Any) -> DiscordAdapter:
    """The Discord adapter from ``kit``; ``options`` go to :class:`DiscordAdapter` (tests)."""
    if not kit.settings.discord_configured:
        raise RuntimeError("set DISCORD_TOKEN to run the Discord adapter")
    try:
        parse_shard_ids(kit.settings.discord_shard_ids, kit.settings.discord_shards)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None
    return DiscordAdapter(kit.dispatcher, kit.settings, kit.registry, **options)
