"""The discord.py client studybot runs: minimal intents, no member cache, our command tree.

Only the ``guilds`` intent is requested (no privileged intents): slash commands, buttons
and autocomplete arrive as interactions whatever the intents, and posting needs no cache.
The member cache and start-up chunking are off, so memory stays flat however large the
servers are. With ``STUDYBOT_DISCORD_SHARDS`` set the client is an ``AutoShardedClient``
running the shard ids given in ``STUDYBOT_DISCORD_SHARD_IDS`` (all by default), so several
processes can split one bot's guilds.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands

from bot import metrics
from bot.adapters.discord.commands import build_commands
from bot.adapters.discord.interactions import InteractionHandler
from bot.adapters.discord.respond import ALLOWED_MENTIONS
from bot.config import Settings
from bot.core.commands import Registry

log = logging.getLogger(__name__)

# discord.py raises RateLimited instead of sleeping longer than this (its minimum is 30 s),
# so a scheduled post is rescheduled rather than stuck inside channel.send().
MAX_RATELIMIT_WAIT = 30.0


class _NoVoiceWarnings(logging.Filter):
    """Drop discord.py's start-up warnings about voice libraries: studybot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


logging.getLogger("discord.client").addFilter(_NoVoiceWarnings())


def point_at(api_base: str, gateway: str) -> tuple[str, yarl.URL]:
    """Send discord.py's REST and gateway traffic to the given addresses; return the old ones.

    discord.py has no per-client setting for either: every REST call (interaction callbacks
    and followups included) builds a ``Route`` from the class attribute ``Route.BASE``, and a
    client that is not asked to look up its gateway connects to the class attribute
    ``DiscordWebSocket.DEFAULT_GATEWAY``. Setting both before login is the supported way
    to go through a REST or gateway proxy (and what the tests' loopback Discord uses).
    """
    previous = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    return previous


def restore_endpoints(previous: tuple[str, yarl.URL]) -> None:
    """Undo :func:`point_at`."""
    discord.http.Route.BASE = previous[0]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = previous[1]


def parse_shard_ids(raw: str | None, count: int | None) -> list[int] | None:
    """Parse ``"0,1"`` or ``"0-3"`` (inclusive) into shard ids, checked against ``count``.

    Raises:
        ValueError: Ids without a shard count, malformed ids, or ids out of range.
    """
    if not raw or not raw.strip():
        return None
    if count is None:
        raise ValueError("STUDYBOT_DISCORD_SHARD_IDS needs STUDYBOT_DISCORD_SHARDS (the total)")
    ids: list[int] = []
    for part in raw.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise ValueError(
                f"shard ids must be numbers or ranges like 0-3, not {part!r}"
            ) from None
        ids.extend(range(low, high + 1))
    bad = [i for i in ids if not 0 <= i < count]
    if bad or not ids:
        raise ValueError(f"shard ids must be between 0 and {count - 1}, got {bad or raw!r}")
    return sorted(set(ids))


def _rate_limit_trace() -> aiohttp.TraceConfig:
    """Count every 429 response (discord.py retries most of them on its own)."""

    async def on_end(
        session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status == 429:
            metrics.RATE_LIMITED.labels(platform="discord").inc()

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace


def client_options(settings: Settings, *, guild_ready_timeout: float = 2.0) -> dict[str, Any]:
    """Keyword arguments for the client: intents, caches, rate limits and shards."""
    intents = discord.Intents.none()
    intents.guilds = True
    options: dict[str, Any] = {
        "intents": intents,
        "member_cache_flags": discord.MemberCacheFlags.none(),
        "chunk_guilds_at_startup": False,
        "guild_ready_timeout": guild_ready_timeout,
        "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
        "http_trace": _rate_limit_trace(),
        "allowed_mentions": ALLOWED_MENTIONS,
    }
    shard_ids = parse_shard_ids(settings.discord_shard_ids, settings.discord_shards)
    if settings.discord_shards is not None:
        options["shard_count"] = settings.discord_shards
        options["shard_ids"] = shard_ids
    return options


class StudyTree(app_commands.CommandTree):
    """The command tree; errors discord.py catches are still answered to the user."""

    handler: InteractionHandler | None = None

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        """Answer the interaction instead of only logging."""
        if self.handler is not None:
            await self.handler.on_tree_error(interaction, error)
        else:
            await super().on_error(interaction, error)


class _StudyClientMixin:
    """Builds the command tree from the registry and routes button presses."""

    tree: StudyTree

    def _setup_study(self, registry: Registry, handler: InteractionHandler | None) -> None:
        contexts = app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        )
        installs = app_commands.AppInstallationType(guild=True, user=False)
        self.tree = StudyTree(self, allowed_contexts=contexts, allowed_installs=installs)  # type: ignore[arg-type]
        self.tree.handler = handler
        self.registry = registry
        self.handler = handler

    async def setup_hook(self) -> None:
        """Add one application command per spec (registration itself is ``discord sync``)."""
        for command in build_commands(self.registry, self.handler or _NoHandler()):
            self.tree.add_command(command)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Button presses; slash commands and autocomplete go through the tree."""
        if self.handler is not None:
            await self.handler.on_component(interaction)


class _NoHandler:
    """Placeholder for a client that only registers commands (``studybot discord sync``)."""

    async def run_command(self, interaction: discord.Interaction, *args: Any) -> None:
        raise RuntimeError("this client only registers commands")

    async def complete(self, *args: Any) -> list[str]:
        return []


class StudyClient(_StudyClientMixin, discord.Client):
    """A single-connection client (the default)."""

    def __init__(
        self, registry: Registry, handler: InteractionHandler | None, **options: Any
    ) -> None:
        super().__init__(**options)
        self._setup_study(registry, handler)


class ShardedStudyClient(_StudyClientMixin, discord.AutoShardedClient):
    """A client running several shards (``STUDYBOT_DISCORD_SHARDS``)."""

    def __init__(
        self, registry: Registry, handler: InteractionHandler | None, **options: Any
    ) -> None:
        super().__init__(**options)
        self._setup_study(registry, handler)


def make_client(
    settings: Settings,
    registry: Registry,
    handler: InteractionHandler | None,
    *,
    guild_ready_timeout: float = 2.0,
) -> discord.Client:
    """The right client for the settings (sharded or not), with the tree wired up."""
    options = client_options(settings, guild_ready_timeout=guild_ready_timeout)
    if "shard_count" in options:
        return ShardedStudyClient(registry, handler, **options)
    return StudyClient(registry, handler, **options)
