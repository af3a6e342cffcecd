"""A loopback fake of Slack for end-to-end tests of slack-bolt / slack_sdk code.

:class:`FakeSlack` is an aiohttp server on ``127.0.0.1:<ephemeral port>`` running in the test's
event loop. It serves

* the Web API under :attr:`FakeSlack.api_url` (pass it as ``AsyncWebClient(base_url=...)``),
  answering ``HTTP 200 {"ok": false, "error": ...}`` for failures like real Slack, with fault
  injection (429 + ``Retry-After``, 5xx, error bodies, delays, dropped connections, failures
  *after* the effect) and optional per-channel ``chat.postMessage`` rate limiting;
* ``response_url`` sinks (``/response/<id>``) that record posts and apply them to the modelled
  channels;
* Socket Mode (``apps.connections.open`` + websocket ``/link``).

It also drives inbound traffic into a bolt app the way Slack does: signed slash commands, block
actions and Events API posts over HTTP, or envelopes over Socket Mode.

Typical use::

    async with FakeSlack() as fake:
        fake.add_user("U1", "alice")
        fake.add_channel("C1", "general")
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
        ...
        call = await fake.wait_for_call("chat.postMessage")

Modules: workspace state :mod:`tests.fakes.slack_world`; Web API method semantics
:mod:`tests.fakes.slack_methods`; the HTTP endpoint with tokens, faults and rate limits
:mod:`tests.fakes.slack_webapi`; response_url sink :mod:`tests.fakes.slack_sink`; Socket Mode
:mod:`tests.fakes.slack_socket`; inbound payloads and drivers :mod:`tests.fakes.slack_inbound`;
records :mod:`tests.fakes.slack_records`; signing and Block Kit checks
:mod:`tests.fakes.slack_payloads`.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import WSCloseCode, web

from .slack_inbound import InboundDriverMixin
from .slack_methods import SlackWebApi
from .slack_payloads import sign
from .slack_records import InboundRequest, RecordedCall, Recorder, ResponsePost, SocketFrame
from .slack_sink import ResponseUrlSink
from .slack_socket import SocketModeHub
from .slack_webapi import WebApiEndpoint
from .slack_world import DmBlock, SlackChannel, SlackUser, SlackUsergroup

__all__ = [
    "FakeSlack",
    "InboundRequest",
    "RecordedCall",
    "ResponsePost",
    "SocketFrame",
    "sign",
]

Args = dict[str, Any]

_DEFAULT_SCOPES = (
    "chat:write",
    "commands",
    "users:read",
    "usergroups:read",
    "channels:read",
    "channels:history",
    "channels:join",
    "groups:read",
    "groups:history",
    "im:read",
    "im:write",
    "im:history",
    "mpim:read",
    "mpim:write",
)


class FakeSlack(InboundDriverMixin):
    """Loopback Slack: Web API, response_url sink, Socket Mode, and inbound request drivers.

    Use ``async with FakeSlack() as fake`` (or :meth:`start` / :meth:`stop`) inside the test's
    event loop. Nothing sleeps; every ``wait_*`` helper is driven by an
    :class:`asyncio.Condition` and raises :class:`TimeoutError` with the recent calls.

    Args:
        bot_token: The only accepted bot token (``xoxb-``); others get ``invalid_auth``.
        app_token: The only accepted app-level token (``xapp-``) for ``apps.connections.open``.
        team_id: Workspace id.
        team_name: Workspace name.
        team_domain: Workspace subdomain.
        bot_user_id: The bot user's id.
        bot_id: The bot's ``B...`` id.
        bot_name: The bot user's name.
        app_id: The app id (``api_app_id`` of inbound payloads).
        verification_token: The deprecated ``token`` field of inbound payloads.
        scopes: Bot scopes reported in ``X-OAuth-Scopes``; include ``chat:write.public`` to let
            the bot post in public channels it has not joined.
        host: Interface to bind; keep the loopback default.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-test",
        team_id: str = "T0FAKE",
        team_name: str = "Fake Study Group",
        team_domain: str = "fake-study",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "studybot",
        app_id: str = "A0FAKE",
        verification_token: str = "fake-verification-token",
        scopes: Iterable[str] = _DEFAULT_SCOPES,
        host: str = "127.0.0.1",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.verification_token = verification_token
        self.host = host
        self.world = SlackWebApi(
            team_id=team_id,
            team_name=team_name,
            team_domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            bot_name=bot_name,
            app_id=app_id,
            scopes=scopes,
        )
        self.recorder = Recorder()
        self.socket = SocketModeHub(self.recorder, app_id, on_ack=self._on_socket_ack)
        self.sink = ResponseUrlSink(self.world, self.recorder, lambda: self.base_url)
        self.webapi = WebApiEndpoint(
            self.world,
            self.recorder,
            self.socket,
            bot_token=bot_token,
            app_token=app_token,
            base_url=lambda: self.base_url,
        )
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    # ================================================================== lifecycle

    async def start(self) -> FakeSlack:
        """Bind to ``host:0`` and start serving; returns ``self``."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.webapi.handle)
        app.router.add_post("/response/{id}", self.sink.handle)
        app.router.add_get("/link", self.socket.handle)
        app.router.add_get("/link/", self.socket.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        """Close websockets, the inbound client session and the server. Idempotent.

        Close Socket Mode handlers *before* stopping the fake, or slack_sdk will keep trying to
        reconnect to a server that is gone.
        """
        self.socket.accepting = False
        await self.socket.close()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
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
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Web API base for ``AsyncWebClient(base_url=...)``: ``http://127.0.0.1:PORT/api/``."""
        return f"{self.base_url}/api/"

    @property
    def team_id(self) -> str:
        """Workspace id."""
        return self.world.team_id

    @property
    def team_name(self) -> str:
        """Workspace name."""
        return self.world.team_name

    @property
    def bot_user_id(self) -> str:
        """The bot user's id."""
        return self.world.bot_user_id

    @property
    def bot_id(self) -> str:
        """The bot's ``B...`` id."""
        return self.world.bot_id

    @property
    def app_id(self) -> str:
        """The app id."""
        return self.world.app_id

    # ================================================================== modelled world

    def add_user(
        self,
        id: str,
        name: str,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        tz: str = "UTC",
        real_name: str | None = None,
        display_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> SlackUser:
        """Add (or replace) a workspace member; ``tz`` must be an IANA zone name.

        Owners are admins too (``is_owner=True`` implies ``is_admin``), as on Slack.
        """
        user = SlackUser(
            id=id,
            name=name,
            team_id=self.world.team_id,
            real_name=real_name if real_name is not None else name.title(),
            display_name=display_name if display_name is not None else name,
            is_admin=is_admin or is_owner,
            is_owner=is_owner,
            is_primary_owner=is_primary_owner,
            is_bot=is_bot,
            deleted=deleted,
            tz=tz,
        )
        self.world.users[id] = user
        return user

    def add_channel(
        self,
        id: str,
        name: str,
        *,
        bot_is_member: bool = True,
        members: Iterable[str] | None = None,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> SlackChannel:
        """Add a channel. ``members=None`` means every (current and future) human user."""
        channel = SlackChannel(
            id=id,
            name=name,
            is_private=is_private,
            is_archived=is_archived,
            bot_is_member=bot_is_member,
            members=list(members) if members is not None else None,
        )
        self.world.channels[id] = channel
        return channel

    def add_usergroup(
        self, id: str, handle: str, users: Iterable[str], *, name: str = ""
    ) -> SlackUsergroup:
        """Add a user group ``@handle`` with the given member ids."""
        group = SlackUsergroup(id=id, handle=handle, users=list(users), name=name or handle)
        self.world.usergroups[id] = group
        return group

    def block_dms(
        self, user_id: str, *, error: str = "messages_tab_disabled", on: str = "post"
    ) -> None:
        """Make DMs to ``user_id`` fail with ``error``.

        Args:
            user_id: The user who cannot be messaged.
            error: Error code to answer.
            on: ``"post"``: ``chat.postMessage``/``postEphemeral`` into the DM fail;
                ``"open"``: ``conversations.open`` itself fails.
        """
        if on not in ("post", "open"):
            raise ValueError("on must be 'post' or 'open'")
        self.world.dm_blocks[user_id] = DmBlock(error=error, on=on)

    def unblock_dms(self, user_id: str) -> None:
        """Undo :meth:`block_dms`."""
        self.world.dm_blocks.pop(user_id, None)

    def channel(self, channel_id: str) -> SlackChannel:
        """Return the live modelled channel (mutate it to change membership, archive it...)."""
        return self.world.channels[channel_id]

    def dm_channel(self, user_id: str) -> str:
        """Return the id the bot's DM with ``user_id`` has (once opened)."""
        return self.world.dm_id(user_id)

    def _resolve_channel(self, ref: str) -> SlackChannel | None:
        if ref in self.world.users:
            ref = self.world.dm_id(ref)
        return self.world.channels.get(ref)

    def messages(self, channel: str) -> list[Args]:
        """Copies of the messages stored in ``channel`` (or a user's DM), oldest first.

        Includes thread replies and user messages added with :meth:`add_user_message`; every
        message has ``ts`` and, when posted with it, ``metadata`` and ``blocks``.
        """
        found = self._resolve_channel(channel)
        return copy.deepcopy(found.messages) if found else []

    def ephemerals(self, channel: str | None = None, *, user: str | None = None) -> list[Args]:
        """Ephemeral messages (``chat.postEphemeral``, ephemeral replies), filtered."""
        out: list[Args] = []
        for ch in self.world.channels.values():
            if channel is not None and ch is not self._resolve_channel(channel):
                continue
            out.extend(m for m in ch.ephemerals if user is None or m.get("to_user") == user)
        return copy.deepcopy(sorted(out, key=lambda m: float(m["ts"])))

    def home_view(self, user_id: str) -> Args | None:
        """The App Home view last published for ``user_id`` (with its ``id`` and ``hash``)."""
        view = self.world.home_views.get(user_id)
        return copy.deepcopy(view) if view else None

    def add_user_message(self, channel: str, user_id: str, text: str, **extra: Any) -> Args:
        """Store a message written by a human and return the matching ``message`` event.

        Args:
            channel: Channel id or a user id (for the DM with the bot).
            user_id: The author.
            text: Message text.
            **extra: Extra message fields (``thread_ts``, ``blocks``...).

        Returns:
            An Events API ``message`` event for :meth:`send_event` / :meth:`socket_send`.
        """
        target = self._resolve_channel(channel)
        if target is None:
            raise KeyError(f"unknown channel {channel!r}")
        ts = self.world.next_ts()
        msg: Args = {
            "user": user_id,
            "type": "message",
            "ts": ts,
            "client_msg_id": str(uuid.uuid4()),
            "text": text,
            "team": self.team_id,
            **extra,
        }
        target.messages.append(msg)
        kind = "im" if target.is_im else "mpim" if target.is_mpim else "channel"
        if target.is_private and not target.is_mpim:
            kind = "group"
        return {**copy.deepcopy(msg), "channel": target.id, "event_ts": ts, "channel_type": kind}

    # ================================================================== fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | None = 1,
        error: str | None = None,
        times: int = 1,
        commit: bool = False,
        drop: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 by default).

        See :meth:`tests.fakes.slack_webapi.WebApiEndpoint.fail_next` for every option:
        ``status`` (429 with ``Retry-After``, 5xx, or 200 + ``error``), ``commit`` (apply the
        method, then fail: an uncertain outcome), ``drop`` (close the connection unanswered),
        ``delay`` (answer late).
        """
        self.webapi.fail_next(
            method,
            status=status,
            retry_after=retry_after,
            error=error,
            times=times,
            commit=commit,
            drop=drop,
            delay=delay,
        )

    def clear_faults(self) -> None:
        """Drop every pending injected fault."""
        self.webapi.clear_faults()

    def limit_post_rate(
        self, interval: float | None = 1.0, *, burst: int = 1, retry_after: int = 1
    ) -> None:
        """Answer ``chat.postMessage`` faster than 1 per ``interval`` s per channel with 429.

        ``burst`` posts may go back to back (token bucket); ``None`` disables the limit.
        """
        self.webapi.limit_post_rate(interval, burst=burst, retry_after=retry_after)

    def post_times(self, channel: str) -> list[float]:
        """``time.monotonic()`` of every stored ``chat.postMessage`` in ``channel`` (or DM)."""
        found = self._resolve_channel(channel)
        return self.webapi.post_times(found.id if found else channel)

    # ================================================================== recording & waiting

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded Web API calls (all, or only ``method``), in arrival order."""
        return [c for c in self.recorder.calls if method is None or c.method == method]

    def response_posts(self, id: str | None = None) -> list[ResponsePost]:
        """Recorded ``response_url`` posts (all, or for one id)."""
        return [p for p in self.recorder.response_posts if id is None or p.id == id]

    def socket_frames(self, direction: str | None = None) -> list[SocketFrame]:
        """Recorded Socket Mode frames; ``direction`` is ``"sent"`` or ``"received"``."""
        return [f for f in self.recorder.frames if direction is None or f.direction == direction]

    def inbound(self) -> list[InboundRequest]:
        """Requests this fake sent to the app's HTTP endpoint, with the app's answers."""
        return list(self.recorder.inbound)

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[RecordedCall], bool] | None = None,
    ) -> RecordedCall:
        """Wait until ``count`` calls of ``method`` (matching ``predicate``) were answered.

        Returns:
            The ``count``-th matching call.
        """

        def check() -> RecordedCall | None:
            hits = [c for c in self.calls(method) if predicate is None or predicate(c)]
            return hits[count - 1] if len(hits) >= count else None

        return await self.recorder.wait_until(check, timeout, f"{count}x {method}")

    async def wait_for_message(
        self,
        channel: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
        predicate: Callable[[Args], bool] | None = None,
    ) -> Args:
        """Wait until ``channel`` holds ``count`` matching messages; return the ``count``-th."""

        def check() -> Args | None:
            hits = [m for m in self.messages(channel) if predicate is None or predicate(m)]
            return hits[count - 1] if len(hits) >= count else None

        return await self.recorder.wait_until(check, timeout, f"{count} message(s) in {channel}")

    async def wait_for_response_post(
        self,
        id: str | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ResponsePost:
        """Wait until ``count`` posts reached the response_url sink (optionally one id)."""

        def check() -> ResponsePost | None:
            hits = self.response_posts(id)
            return hits[count - 1] if len(hits) >= count else None

        return await self.recorder.wait_until(check, timeout, f"{count} response_url post(s)")

    # ================================================================== response_url sink

    def response_url(
        self,
        id: str | None = None,
        *,
        channel_id: str | None = None,
        user_id: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """Register a response_url and return ``http://127.0.0.1:PORT/response/<id>``.

        Args:
            id: Last path segment; a fresh UUID when omitted.
            channel_id: Channel replies go to (``in_channel``) or are shown in (ephemeral).
            user_id: Who sees ephemeral replies.
            message_ts: Source message, for ``replace_original`` / ``delete_original``.
        """
        return self.sink.register(id, channel_id=channel_id, user_id=user_id, message_ts=message_ts)

    def expire_response_url(self, id: str) -> None:
        """Make later posts to response_url ``id`` fail with ``404 expired_url``."""
        self.sink.expire(id)

    # ================================================================== Socket Mode

    @property
    def socket_urls_issued(self) -> int:
        """How many websocket URLs ``apps.connections.open`` handed out."""
        return self.socket.urls_issued

    @property
    def socket_connections_opened(self) -> int:
        """How many websocket connections the app opened in total."""
        return len(self.socket.connections)

    async def socket_send(
        self,
        type: str,
        payload: Any,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
        envelope_id: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> str:
        """Push an envelope (``slash_commands``, ``interactive``, ``events_api``) to the app.

        ``events_api`` envelopes always carry ``retry_attempt``/``retry_reason`` (as Slack's
        do); other types only when a retry is given. Waits up to ``timeout`` for a live
        connection (one not asked to disconnect).

        Returns:
            The envelope id, for :meth:`wait_socket_ack`.
        """
        return await self.socket.send(
            type,
            payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
            accepts_response_payload=accepts_response_payload,
            envelope_id=envelope_id,
            timeout=timeout,
        )

    async def wait_socket_ack(self, envelope_id: str, timeout: float = 5.0) -> Args:  # noqa: ASYNC109
        """Wait for the app's ack of ``envelope_id``; returns its ``payload`` (``{}`` if none)."""
        return await self.socket.wait_ack(envelope_id, timeout)

    async def socket_disconnect(self, reason: str = "refresh_requested") -> int:
        """Send ``{"type": "disconnect", "reason": reason}`` on every live connection."""
        return await self.socket.disconnect(reason)

    async def socket_close(self, code: int = WSCloseCode.GOING_AWAY) -> int:
        """Close every open websocket from the server side (an abrupt drop)."""
        return await self.socket.close(code)

    async def wait_socket_connected(self, n: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``n`` websocket connections were opened in total and one is live."""
        await self.socket.wait_connected(n, timeout)

    async def _on_socket_ack(self, envelope: Args, ack: Args) -> None:
        if envelope.get("type") == "slash_commands" and ack:
            payload = envelope.get("payload") or {}
            self.sink.apply_reply(payload.get("channel_id"), payload.get("user_id"), None, ack)
