"""A faithful loopback fake of Discord (REST v10 + gateway v10) for end-to-end tests.

``FakeDiscord`` is an aiohttp server on ``127.0.0.1`` (ephemeral port) running in the test's event
loop. Point the real discord.py at it (``discord.http.Route.BASE = fake.api_base`` and
``DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``, or studybot's
``DISCORD_API_BASE_URL`` / ``DISCORD_GATEWAY_URL``), then drive it the way Discord does: gateway
dispatches for slash commands, autocomplete, button clicks and modal submits; REST answers that
are recorded so tests can assert on them; and injected failures (429, 403, 5xx, blocked DMs).

Example:
    async with FakeDiscord() as fake:
        ...start the bot against fake.api_base / fake.gateway_url...
        handle = await fake.slash_command("ping", {"word": "hi"})
        body = await handle.wait_response()
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

from .discord_gateway import OP_INVALID_SESSION, OP_RECONNECT, GatewayFrame
from .discord_http import Fault, RecordedRequest
from .discord_interactions import (
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_MESSAGE_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    InteractionHandle,
    build_command_data,
    build_interaction,
    build_modal_components,
    new_token,
    resolve_value,
)
from .discord_payloads import (
    DEFAULT_BOT_PERMISSIONS,
    FLAG_EPHEMERAL,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILDS,
    JSON,
    MANAGE_GUILD,
    Member,
    walk_components,
)
from .discord_rest import DiscordRestServer

__all__ = ["FakeDiscord", "GatewayFrame", "InteractionHandle", "RecordedRequest"]

T = TypeVar("T")


class FakeDiscord(DiscordRestServer):
    """Fake Discord: REST v10 and gateway v10 on loopback, with a modelled world.

    By default the world holds one guild ("Study Group", ``guild_id``) with a ``#general`` text
    channel (``channel_id``), the bot, the owner "developer" (``owner_id``, also the owner of
    the application, so ``bot.is_owner`` is true for them) and a plain member "alice"
    (``user_id``); the helpers default to them.

    Args:
        token: The only bot token accepted; None accepts any ``Bot ...`` token.
        shards: Shard count recommended by ``GET /gateway/bot`` (AutoShardedClient).
        default_guild: Create the default guild, channel and member.
        bot_name: Username of the bot user.
        interaction_ack_deadline: Seconds for the first callback before 404 10062 (None = off).
        interaction_token_ttl: Seconds interaction tokens stay valid for followups.
        nonce_window: Seconds during which ``enforce_nonce`` deduplicates channel messages.
        heartbeat_interval: Milliseconds announced in HELLO.
        deny_privileged_intents: Close IDENTIFY asking for privileged intents with 4014.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        shards: int = 1,
        default_guild: bool = True,
        bot_name: str = "studybot",
        interaction_ack_deadline: float | None = 3.0,
        interaction_token_ttl: float = 900.0,
        nonce_window: float = 300.0,
        heartbeat_interval: int = 41250,
        deny_privileged_intents: bool = False,
    ) -> None:
        super().__init__(
            token=token,
            shards=shards,
            interaction_ack_deadline=interaction_ack_deadline,
            interaction_token_ttl=interaction_token_ttl,
            nonce_window=nonce_window,
            heartbeat_interval=heartbeat_interval,
            deny_privileged_intents=deny_privileged_intents,
        )
        self.world.users[self.world.bot_user_id].username = bot_name
        self._runner: web.AppRunner | None = None
        self.guild_id: int | None = None
        self.channel_id: int | None = None
        self.user_id: int | None = None
        if default_guild:
            self.guild_id = self.add_guild("Study Group", owner_id=self.world.app_owner_id)
            self.channel_id = self.world.guilds[self.guild_id].channel_ids[0]
            self.user_id = self.add_member(self.guild_id, name="alice")

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> Self:
        """Start serving on ``127.0.0.1`` with an ephemeral port; return self."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._serve_rest)
        app.router.add_route("*", "/{tail:.*}", self._serve_unknown)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close every gateway connection and stop the server."""
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """REST base to use instead of ``https://discord.com/api/v10``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Gateway URL to use instead of ``wss://gateway.discord.gg/``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def application_id(self) -> int:
        """The application id (``/oauth2/applications/@me``, READY, interactions)."""
        return self.world.application_id

    @property
    def owner_id(self) -> int:
        """The application owner ("developer"), also the default guild's owner."""
        return self.world.app_owner_id

    @property
    def bot_user_id(self) -> int:
        """The bot user's id."""
        return self.world.bot_user_id

    # -- the modelled world --------------------------------------------------------------------

    def snowflake(self) -> int:
        """Return a fresh snowflake from the fake's generator."""
        return self.ids()

    def add_guild(
        self,
        name: str = "Study Group",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        channels: Sequence[str] = ("general",),
        locale: str = "en-US",
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
    ) -> int:
        """Create a guild with @everyone, the bot (managed role), an owner and text channels.

        A connected bot receives GUILD_CREATE, as when it is added to a server.

        Returns:
            The guild id.
        """
        guild = self.world.add_guild(
            name,
            guild_id=guild_id,
            owner_id=owner_id,
            locale=locale,
            bot_permissions=bot_permissions,
        )
        for channel in channels:
            self.world.add_channel(guild.id, channel)
        session = self.gateway.session_for(guild.id)
        if session is not None and session.intents & INTENT_GUILDS:
            self.gateway.emit(
                session,
                "GUILD_CREATE",
                self.gateway.guild_create_payload(session, guild.id, joined=True),
            )
        return guild.id

    def add_channel(self, guild: int, name: str, *, topic: str | None = None) -> int:
        """Create a text channel (CHANNEL_CREATE if connected); return its id."""
        channel = self.world.add_channel(guild, name, topic=topic)
        self.gateway.dispatch(
            "CHANNEL_CREATE",
            self.world.channel_payload(channel.id),
            guild_id=guild,
            intent=INTENT_GUILDS,
        )
        return channel.id

    def add_user(self, name: str, *, user_id: int | None = None, bot: bool = False) -> int:
        """Create a user that is in no guild (e.g. for DMs); return its id."""
        return self.world.add_user(name, user_id=user_id, bot=bot)

    def add_role(
        self,
        guild: int,
        name: str,
        *,
        permissions: int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> int:
        """Create a role (GUILD_ROLE_CREATE if connected); return its id."""
        role = self.world.add_role(
            guild, name, permissions=permissions, color=color, hoist=hoist, mentionable=mentionable
        )
        data = {"guild_id": str(guild), "role": role.payload()}
        self.gateway.dispatch("GUILD_ROLE_CREATE", data, guild_id=guild, intent=INTENT_GUILDS)
        return role.id

    def add_member(
        self,
        guild: int,
        user_id: int | None = None,
        name: str | None = None,
        *,
        roles: Sequence[int] = (),
        permissions: int | None = None,
        manage_guild: bool = False,
        nick: str | None = None,
    ) -> int:
        """Add a user to a guild (creating the user if needed); return the user id.

        Permissions always come from roles, so the interaction ``member.permissions`` and what
        discord.py computes from the cached guild agree.

        Args:
            guild: The guild.
            user_id: An existing or new user id; None mints one.
            name: Username for a new user (default ``user<id>``).
            roles: Role ids to give the member.
            permissions: Extra permission bits (on top of @everyone), via a personal role.
            manage_guild: Give MANAGE_GUILD (0x20) through a shared "Moderator" role.
            nick: Guild nickname.
        """
        world = self.world
        uid = user_id if user_id is not None else world.ids()
        if uid not in world.users:
            world.add_user(name or f"user{uid}", user_id=uid)
        role_ids = list(roles)
        if manage_guild:
            moderator = next(
                (r.id for r in world.guilds[guild].roles.values() if r.name == "Moderator"), None
            )
            role_ids.append(
                moderator or self.add_role(guild, "Moderator", permissions=MANAGE_GUILD)
            )
        if permissions is not None:
            label = world.users[uid].username
            role_ids.append(self.add_role(guild, f"{label}-permissions", permissions=permissions))
        member = world.guilds[guild].members.get(uid)
        if member is None:
            member = world.guilds[guild].members[uid] = Member(uid, [], nick)
        member.roles.extend(r for r in role_ids if r not in member.roles)
        data = {**world.member_payload(guild, uid), "guild_id": str(guild)}
        self.gateway.dispatch("GUILD_MEMBER_ADD", data, guild_id=guild, intent=INTENT_GUILD_MEMBERS)
        return uid

    def add_message(
        self,
        channel_id: int,
        content: str = "",
        *,
        author: int | None = None,
        components: Sequence[JSON] | None = None,
        embeds: Sequence[JSON] | None = None,
    ) -> JSON:
        """Store a message that already exists, without any gateway event.

        Use it for messages a previous bot process posted, e.g. to click the buttons of a
        persistent view after a restart.

        Args:
            channel_id: Channel of the message.
            content: Message content.
            author: Author user id (default: the bot).
            components: Component rows, as a View's ``to_components()`` produces them.
            embeds: Embed objects.

        Returns:
            The stored message object.
        """
        body: JSON = {"content": content}
        if components is not None:
            body["components"] = [dict(c) for c in components]
        if embeds is not None:
            body["embeds"] = list(embeds)
        return self.world.create_message(
            channel_id, self.world.bot_user_id if author is None else author, body
        )

    def dm_channel_id(self, user_id: int) -> int:
        """Return (creating if needed) the id of the bot's DM channel with a user."""
        return self.world.dm_channel(user_id).id

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        path_regex: str,
        status: int,
        *,
        retry_after: float | None = None,
        code: int | None = None,
        message: str | None = None,
        times: int = 1,
        is_global: bool = False,
    ) -> None:
        """Make the next ``times`` matching REST requests fail.

        Args:
            method: HTTP method, or None for any.
            path_regex: ``re.search`` pattern on the path below the API base
                (e.g. ``r"^/channels/\\d+/messages$"``).
            status: 429 (rate limit with ``retry_after``, ``Retry-After``, ``X-RateLimit-*``
                and ``Via`` headers), 403 (code 50001 unless ``code``), 5xx, ...
            retry_after: Seconds for a 429 (default 0.05).
            code: Discord error code in the body (e.g. 50013, 50007).
            message: Overrides the error message.
            times: How many requests fail.
            is_global: Mark a 429 as a global rate limit.
        """
        self.faults.append(
            Fault(
                method.upper() if method else None,
                re.compile(path_regex),
                status,
                retry_after,
                code,
                message,
                times,
                is_global,
            )
        )

    def block_dms(self, user_id: int, blocked: bool = True) -> None:
        """Make messages to the user's DM channel fail with 403 / 50007 (or allow them again)."""
        (self.blocked_dm_users.add if blocked else self.blocked_dm_users.discard)(user_id)

    def channel_forbidden(self, channel_id: int, forbidden: bool = True) -> None:
        """Make the bot's requests to the channel fail with 403 / 50001 (or allow them again)."""
        (self.forbidden_channels.add if forbidden else self.forbidden_channels.discard)(channel_id)

    # -- gateway control ---------------------------------------------------------------------

    @property
    def identify_count(self) -> int:
        """How many IDENTIFYs were accepted."""
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """How many RESUMEs were accepted."""
        return self.gateway.resume_count

    @property
    def identifies(self) -> list[JSON]:
        """The data of every IDENTIFY received (token, intents, shard, properties, ...)."""
        return [f.d for f in self.gateway_frames(op=2)]

    def gateway_frames(
        self, op: int | None = None, *, direction: str = "recv"
    ) -> list[GatewayFrame]:
        """Return recorded gateway frames (``"recv"`` from the bot or ``"sent"`` by the fake)."""
        return [
            f
            for f in self.gateway.frames
            if f.direction == direction and (op is None or f.op == op)
        ]

    async def wait_for_gateway(
        self,
        op: int,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[GatewayFrame]:
        """Wait until the bot has sent ``count`` frames with opcode ``op``; return them.

        Raises:
            TimeoutError: Not enough frames within ``timeout`` seconds.
        """

        def enough() -> list[GatewayFrame] | None:
            frames = self.gateway_frames(op)
            return frames[:count] if len(frames) >= count else None

        return await self._wait(enough, timeout, f"{count} gateway frame(s) with op {op}")

    async def send_reconnect(self, shard: int | None = None) -> int:
        """Send op 7 RECONNECT (all shards or one) so the bot RESUMEs; return connections hit."""
        return self.gateway.send_op(OP_RECONNECT, None, shard_id=shard)

    async def drop_connection(self, shard: int | None = None, code: int = 4000) -> int:
        """Close the gateway socket(s) from the server side; 4000 lets the bot RESUME."""
        return await self.gateway.drop(shard_id=shard, code=code)

    async def invalidate_session(self, *, resumable: bool = False, shard: int | None = None) -> int:
        """Send op 9 INVALID_SESSION; when not resumable the bot must IDENTIFY again.

        discord.py waits 5 s in ``before_identify_hook`` before a non-initial IDENTIFY.
        """
        sent = self.gateway.send_op(OP_INVALID_SESSION, resumable, shard_id=shard)
        if not resumable:
            for session in self.gateway.live_sessions():
                if shard is None or session.shard[0] == shard:
                    session.invalidated = True
        return sent

    def dispatch_event(self, event: str, data: JSON, *, guild_id: int | None = None) -> int | None:
        """Send an arbitrary dispatch to the session of ``guild_id``; return its sequence."""
        return self.gateway.dispatch(event, data, guild_id=guild_id)

    # -- driving interactions ------------------------------------------------------------------

    def _context(
        self, user: int | None, guild: int | None, channel: int | None, dm: bool
    ) -> tuple[int, int | None, int]:
        world = self.world
        uid = self.user_id if user is None else user
        if uid is None or uid not in world.users:
            raise ValueError(f"unknown user {uid!r}; pass user= (see add_member/add_user)")
        if dm:
            return uid, None, world.dm_channel(uid).id
        if channel is not None:
            gid = world.guild_of_channel(channel)
            if guild is not None and gid != guild:
                raise ValueError(f"channel {channel} is not in guild {guild}")
            if gid is None and world.channels[channel].recipient_id != uid:
                raise ValueError(f"DM channel {channel} does not belong to user {uid}")
        else:
            gid = self.guild_id if guild is None else guild
            if gid is None:
                raise ValueError("no guild: pass guild=/channel= or dm=True")
            if not world.guilds[gid].channel_ids:
                raise ValueError(f"guild {gid} has no channels")
            channel = world.guilds[gid].channel_ids[0]
        if gid is not None and uid not in world.guilds[gid].members:
            raise ValueError(f"user {uid} is not a member of guild {gid}; call add_member()")
        return uid, gid, channel

    def _definition(self, name: str, guild_id: int | None, ctype: int = 1) -> JSON | None:
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for command in self.commands.get(scope, []):
                if command["name"] == name and command["type"] == ctype:
                    return command
        return None

    def _start_interaction(
        self,
        interaction_type: int,
        data: JSON,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int,
        locale: str,
        message: JSON | None = None,
    ) -> InteractionHandle:
        session = self.gateway.session_for(guild_id)
        if session is None:
            raise RuntimeError(
                f"no live gateway session for guild {guild_id}; is the bot connected?"
            )
        interaction_id, token = self.ids(), new_token()
        payload = build_interaction(
            self.world,
            interaction_id=interaction_id,
            token=token,
            interaction_type=interaction_type,
            data=data,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            locale=locale,
            message=message,
        )
        handle = InteractionHandle(
            interaction_id=interaction_id,
            token=token,
            interaction_type=interaction_type,
            payload=payload,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            world=self.world,
            component_message_id=int(message["id"]) if message else None,
        )
        self.interactions.append(handle)
        self.interaction_by_id[interaction_id] = handle
        self.interaction_by_token[token] = handle
        self.gateway.emit(session, "INTERACTION_CREATE", payload)
        return handle

    async def slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        user: int | None = None,
        guild: int | None = None,
        channel: int | None = None,
        dm: bool = False,
        group: str | None = None,
        subcommand: str | None = None,
        resolved: JSON | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Dispatch a chat-input command interaction (type 2) to the bot.

        Args:
            name: Command name.
            options: ``{name: value}`` — typed from the synced command when the bot synced it
                (user/channel/role ids get ``resolved`` data), otherwise str/int/float/bool are
                inferred — or a list of raw option dicts.
            user: Invoking user (default: ``user_id``).
            guild: Guild (default: ``guild_id``, or the guild of ``channel``).
            channel: Channel (default: the guild's first text channel).
            dm: Invoke in the bot's DM with ``user`` instead of a guild.
            group: Subcommand group name.
            subcommand: Subcommand name.
            resolved: Extra ``resolved`` data merged into the computed one.
            locale: The user's locale.

        Returns:
            The handle collecting the bot's answers.
        """
        uid, gid, cid = self._context(user, guild, channel, dm)
        data = build_command_data(
            self.world,
            name=name,
            options=options,
            definition=self._definition(name, gid),
            guild_id=gid,
            user_id=uid,
            group=group,
            subcommand=subcommand,
            resolved=resolved,
        )
        return self._start_interaction(
            INTERACTION_APPLICATION_COMMAND,
            data,
            user_id=uid,
            guild_id=gid,
            channel_id=cid,
            locale=locale,
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON],
        *,
        focused: str | None = None,
        user: int | None = None,
        guild: int | None = None,
        channel: int | None = None,
        dm: bool = False,
        group: str | None = None,
        subcommand: str | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Dispatch an autocomplete interaction (type 4); the bot should answer type 8.

        Args:
            name: Command name.
            options: Current option values; the focused one is what the user typed so far.
                Raw option dicts may carry ``"focused": True`` themselves.
            focused: Name of the focused option (default: the last one in ``options``).
            user: Invoking user.
            guild: Guild.
            channel: Channel.
            dm: Invoke in the bot's DM.
            group: Subcommand group name.
            subcommand: Subcommand name.
            locale: The user's locale.
        """
        if focused is None and isinstance(options, Mapping) and options:
            focused = list(options)[-1]
        uid, gid, cid = self._context(user, guild, channel, dm)
        data = build_command_data(
            self.world,
            name=name,
            options=options,
            definition=self._definition(name, gid),
            guild_id=gid,
            user_id=uid,
            group=group,
            subcommand=subcommand,
            focused=focused or "",
        )
        return self._start_interaction(
            INTERACTION_AUTOCOMPLETE, data, user_id=uid, guild_id=gid, channel_id=cid, locale=locale
        )

    def _component_target(
        self, message: JSON | int, custom_id: str, types: set[int]
    ) -> tuple[JSON, JSON]:
        mid = int(message["id"]) if isinstance(message, Mapping) else int(message)
        stored = self.world.messages.get(mid)
        if stored is None:
            raise ValueError(f"message {mid} is unknown to the fake (deleted, or never created)")
        components = walk_components(stored.get("components") or [])
        for component in components:
            if component.get("custom_id") == custom_id and component.get("type") in types:
                if component.get("disabled"):
                    raise ValueError(f"component {custom_id!r} on message {mid} is disabled")
                return stored, component
        available = [c.get("custom_id") for c in components if c.get("custom_id")]
        raise ValueError(f"message {mid} has no component {custom_id!r} (has {available})")

    def _component_user(self, stored: JSON, user: int | None) -> int | None:
        channel = self.world.channels[int(stored["channel_id"])]
        return channel.recipient_id if user is None and channel.guild_id is None else user

    async def click_button(
        self, message: JSON | int, custom_id: str, *, user: int | None = None, locale: str = "en-US"
    ) -> InteractionHandle:
        """Click a button of a message the fake stored (type 3 with the full message object).

        Args:
            message: The message object (or id) as returned by a callback/followup/send.
            custom_id: The button's custom_id; it must exist on the current message.
            user: Clicking user (default: ``user_id``; the recipient in DMs).
            locale: The user's locale.

        Raises:
            ValueError: Unknown message, or no enabled button with that custom_id.
        """
        stored, component = self._component_target(message, custom_id, {2})
        data = {"custom_id": custom_id, "component_type": 2, "id": component.get("id")}
        return self._component_interaction(stored, data, user, locale)

    async def select(
        self,
        message: JSON | int,
        custom_id: str,
        values: Sequence[str | int],
        *,
        user: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Choose values in a select menu (string/user/role/mentionable/channel) of a message.

        Raises:
            ValueError: Unknown message, or no enabled select with that custom_id.
        """
        stored, component = self._component_target(message, custom_id, {3, 5, 6, 7, 8})
        data: JSON = {
            "custom_id": custom_id,
            "component_type": component["type"],
            "id": component.get("id"),
            "values": [str(v) for v in values],
        }
        if component["type"] != 3:
            clicker = self._component_user(stored, user)
            uid, gid, _ = self._context(clicker, None, int(stored["channel_id"]), False)
            option_type = {5: 6, 6: 8, 7: 9, 8: 7}[component["type"]]
            resolved: JSON = {}
            for value in values:
                resolve_value(self.world, option_type, int(value), gid, uid, resolved)
            data["resolved"] = resolved
        return self._component_interaction(stored, data, user, locale)

    def _component_interaction(
        self, stored: JSON, data: JSON, user: int | None, locale: str
    ) -> InteractionHandle:
        cid = int(stored["channel_id"])
        uid, gid, cid = self._context(self._component_user(stored, user), None, cid, False)
        return self._start_interaction(
            INTERACTION_MESSAGE_COMPONENT,
            data,
            user_id=uid,
            guild_id=gid,
            channel_id=cid,
            locale=locale,
            message=dict(stored),
        )

    async def submit_modal(
        self,
        custom_id: str,
        values: Mapping[str, Any],
        *,
        user: int | None = None,
        channel: int | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Submit a modal (type 5). Mirrors the modal the bot opened with that custom_id.

        Without explicit ``user``/``channel``/``dm`` the submit comes from the user and channel
        of the interaction that opened the modal (and carries its message for components).

        Args:
            custom_id: The modal's custom_id.
            values: ``{input custom_id: value}`` (a list for selects).
            user: Submitting user.
            channel: Channel.
            dm: Submit in the bot's DM.
            locale: The user's locale.

        Raises:
            ValueError: A value names an input the recorded modal does not have.
        """
        modal, origin = self.modals.get(custom_id, (None, None))
        message: JSON | None = None
        if origin is not None and user is None and channel is None and not dm:
            uid, gid, cid = origin.user_id, origin.guild_id, origin.channel_id
            if origin.component_message_id is not None:
                message = self.world.messages.get(origin.component_message_id)
        else:
            uid, gid, cid = self._context(user, None, channel, dm)
        data = {"custom_id": custom_id, "components": build_modal_components(modal, values)}
        return self._start_interaction(
            INTERACTION_MODAL_SUBMIT,
            data,
            user_id=uid,
            guild_id=gid,
            channel_id=cid,
            locale=locale,
            message=dict(message) if message else None,
        )

    async def user_message(
        self,
        content: str,
        *,
        user: int | None = None,
        channel: int | None = None,
        dm: bool = False,
        **fields: Any,
    ) -> JSON:
        """Post a message as a user; the bot gets MESSAGE_CREATE (content gated by intents).

        Returns:
            The stored message object.
        """
        uid, _, cid = self._context(user, None, channel, dm)
        message = self.world.create_message(cid, uid, {"content": content, **fields})
        self.messages.announce("MESSAGE_CREATE", message)
        return message

    # -- recording and waiting -----------------------------------------------------------------

    def requests(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[RecordedRequest]:
        """Return recorded REST requests, optionally filtered by method and path regex.

        ``path_regex`` is searched in the path below the API base (``/channels/1/messages``);
        requests outside ``/api/v10`` are recorded with their full path.
        """
        pattern = re.compile(path_regex) if path_regex is not None else None
        return [
            r
            for r in self.recorded
            if (method is None or r.method == method.upper())
            and (pattern is None or pattern.search(r.path))
        ]

    async def wait_for_request(
        self,
        method: str | None,
        path_regex: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[RecordedRequest]:
        """Wait until ``count`` matching requests were answered; return the first ``count``.

        Raises:
            TimeoutError: Fewer matching requests within ``timeout`` seconds.
        """

        def enough() -> list[RecordedRequest] | None:
            found = self.requests(method, path_regex)
            return found[:count] if len(found) >= count else None

        return await self._wait(enough, timeout, f"{count} x {method or '*'} {path_regex}")

    async def _wait(self, predicate: Callable[[], T | None], seconds: float, what: str) -> T:
        try:
            async with asyncio.timeout(seconds), self._cond:
                result = await self._cond.wait_for(predicate)
        except TimeoutError:
            seen = [f"{r.method} {r.path} -> {r.status}" for r in self.recorded[-20:]]
            raise TimeoutError(
                f"FakeDiscord: no {what} within {seconds}s; last requests: {seen}"
            ) from None
        assert result is not None  # wait_for only returns once the predicate is truthy
        return result

    def channel_messages(self, channel_id: int, *, include_ephemeral: bool = True) -> list[JSON]:
        """Return the stored (not deleted) messages of a channel, oldest first.

        Args:
            channel_id: The channel.
            include_ephemeral: Also list ephemeral interaction responses/followups, which only
                their user sees (flag 64).
        """
        messages = [self.world.messages[m] for m in self.world.channel_message_ids[channel_id]]
        if include_ephemeral:
            return messages
        return [m for m in messages if not int(m.get("flags") or 0) & FLAG_EPHEMERAL]

    def created_message_count(self, channel_id: int) -> int:
        """How many messages were ever created in a channel (deleted ones included)."""
        return self.world.created_counts[channel_id]

    def message(self, message_id: int) -> JSON:
        """Return a stored message by id.

        Raises:
            KeyError: Unknown or deleted message.
        """
        return self.world.messages[message_id]

    def synced_commands(self, guild: int | None = None) -> list[JSON]:
        """Return the application commands stored globally (or for one guild)."""
        return list(self.commands.get(guild, []))
