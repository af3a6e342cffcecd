"""The Discord adapter: connects with discord.py 2.x and serves every registry command."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

import aiohttp
import discord

from bot.adapters.base import Adapter, Capability, SendError
from bot.adapters.discord.client import make_client, point_at, restore_endpoints
from bot.adapters.discord.intake import Intake
from bot.adapters.discord.interactions import InteractionHandler
from bot.adapters.discord.late import LateAnswers
from bot.adapters.discord.sending import send_reply, to_send_error
from bot.adapters.discord.sync import registered_drift, sync_commands
from bot.config import Settings
from bot.core.commands import Registry
from bot.core.dispatcher import Dispatcher
from bot.core.inbox import PendingEntry
from bot.core.models import Destination, Platform, Reply, SentRef

log = logging.getLogger(__name__)


class DiscordAdapter(Adapter):
    """Serves slash commands, autocomplete and buttons; posts to channels and DMs.

    Args:
        dispatcher: The core dispatcher.
        settings: Process settings (token, addresses, shards).
        registry: The commands to serve.
        guild_ready_timeout: Seconds discord.py waits for guilds before ``on_ready``.
        ready_timeout: Seconds :meth:`start` waits for the gateway before returning anyway
            (the client keeps connecting in the background).
        drain_timeout: Seconds :meth:`stop` lets running interactions finish.
    """

    platform = Platform.DISCORD
    capabilities = frozenset(
        {
            Capability.EPHEMERAL,
            Capability.BUTTONS,
            Capability.DIRECT_MESSAGES,
            Capability.FILES,
            Capability.ROLES,
        }
    )

    def __init__(
        self,
        dispatcher: Dispatcher,
        settings: Settings,
        registry: Registry,
        *,
        guild_ready_timeout: float = 2.0,
        ready_timeout: float = 60.0,
        drain_timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.registry = registry
        services = dispatcher.services
        inbox = services.inbox
        self.handler = InteractionHandler(dispatcher, intake=Intake(inbox, services.clock))
        self.late = LateAnswers(dispatcher, inbox, services.clock) if inbox else None
        self.guild_ready_timeout = guild_ready_timeout
        self.ready_timeout = ready_timeout
        self.drain_timeout = drain_timeout
        self.client: discord.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._previous_endpoints: tuple[object, object] | None = None

    def _token(self) -> str:
        token = self.settings.discord_token
        if token is None or not token.get_secret_value():
            raise RuntimeError("DISCORD_TOKEN is not set")
        return token.get_secret_value()

    async def start(self) -> None:
        """Log in over REST, connect to the gateway and wait until the guilds are ready."""
        token = self._token()
        self._previous_endpoints = point_at(
            self.settings.discord_api_base_url, self.settings.discord_gateway_url
        )
        client = make_client(
            self.settings,
            self.registry,
            self.handler,
            guild_ready_timeout=self.guild_ready_timeout,
        )
        self.client = client
        try:
            await client.login(token)
        except discord.LoginFailure:
            await client.close()
            raise RuntimeError("Discord refused DISCORD_TOKEN (401); check the bot token") from None
        except (aiohttp.ClientError, OSError) as exc:
            # Close the client's HTTP session here: start failed, so stop() never runs.
            await client.close()
            raise RuntimeError(
                f"cannot reach Discord at {self.settings.discord_api_base_url} ({exc}); "
                "check the network, or DISCORD_API_BASE_URL"
            ) from None
        self._task = asyncio.create_task(self._connect(client, token), name="discord-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=self.ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if self._task in done:
                error = self._task.exception() if not self._task.cancelled() else None
                raise RuntimeError(f"could not connect to Discord: {error!r}")
            log.warning("Discord is not ready after %.0f s; still connecting", self.ready_timeout)
            return
        self.ready.set()
        log.info("discord connected as %s in %d guild(s)", client.user, len(client.guilds))
        await self._check_registration(client)

    async def _connect(self, client: discord.Client, token: str) -> None:
        try:
            await client.connect(reconnect=True)
        except Exception:
            log.exception("the Discord connection ended with an error")
            raise
        finally:
            self.closed.set()

    async def _check_registration(self, client: discord.Client) -> None:
        try:
            drift = await registered_drift(client)
        except discord.HTTPException as exc:
            log.warning("could not read the registered commands: %s", exc)
            return
        if drift:
            log.warning("registered slash commands differ (%s); run `studybot discord sync`", drift)

    async def stop(self) -> None:
        """Let running interactions finish (bounded), then close the connection."""
        await self.handler.drain(self.drain_timeout)
        if self.client is not None:
            await self.client.close()
        if self._task is not None:
            with suppress(Exception, asyncio.CancelledError):
                await self._task
        if self._previous_endpoints is not None:
            restore_endpoints(self._previous_endpoints)  # type: ignore[arg-type]
            self._previous_endpoints = None
        self.closed.set()

    async def replay(self, pending: PendingEntry) -> None:
        """Finish an interaction a crash left in the inbox (see :mod:`.late`)."""
        if self.late is None or self.client is None:
            return
        await self.late.replay(self.client, pending)

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Post to a channel or DM (see :func:`~bot.adapters.discord.sending.send_reply`)."""
        if self.client is None:
            raise RuntimeError("the Discord adapter is not started")
        return await send_reply(self.client, destination, reply, idempotency_key)

    async def publish_commands(self, registry: Registry) -> None:
        """Register every command globally (what ``studybot discord sync`` does)."""
        if self.client is None:
            raise RuntimeError("the Discord adapter is not started")
        await sync_commands(self.client)

    async def set_role(self, space_id: str, user_id: str, role_id: str, *, grant: bool) -> None:
        """``PUT`` (or ``DELETE``) ``/guilds/{g}/members/{u}/roles/{r}``: a role reward.

        Both are idempotent on Discord, so a retry after an unanswered request is safe.
        A 403 (no Manage Roles, or the role is above the bot's highest) raises a permanent
        :class:`SendError` the caller records for ``/admin rewards``; nothing is raised
        further.
        """
        if self.client is None:
            raise SendError("the Discord client is not running", code="not_running")
        http = self.client.http
        try:
            if grant:
                await http.add_role(space_id, user_id, role_id, reason="studybot milestone reward")
            else:
                await http.remove_role(
                    space_id, user_id, role_id, reason="studybot: a higher milestone's role"
                )
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise to_send_error(exc) from exc
