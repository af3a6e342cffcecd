"""The gateway (websocket) half of the fake Discord server.

Implements gateway v10 as discord.py 2.7 speaks it: HELLO, HEARTBEAT/HEARTBEAT_ACK, IDENTIFY ->
READY + GUILD_CREATE, RESUME -> replay of missed dispatches + RESUMED, RECONNECT, INVALID_SESSION,
REQUEST_GUILD_MEMBERS -> GUILD_MEMBERS_CHUNK, and zlib-stream transport compression. Every frame
is recorded. Each connection has one writer task, so frames leave in sequence order and the zlib
context is only ever used by one coroutine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import WSMsgType, web

from .discord_payloads import (
    INTENT_GUILD_PRESENCES,
    INTENT_GUILDS,
    JSON,
    PRIVILEGED_INTENTS,
)
from .discord_world import World

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

_CLOSE_UNKNOWN_OPCODE = 4001
_CLOSE_DECODE_ERROR = 4002
_CLOSE_NOT_AUTHENTICATED = 4003
_CLOSE_AUTHENTICATION_FAILED = 4004
_CLOSE_ALREADY_AUTHENTICATED = 4005
_CLOSE_INVALID_SHARD = 4010
_CLOSE_INVALID_API_VERSION = 4012
_CLOSE_DISALLOWED_INTENTS = 4014


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


@dataclass
class GatewayFrame:
    """One recorded gateway frame.

    Attributes:
        direction: ``"recv"`` for frames the client sent, ``"sent"`` for frames the fake queued.
        connection: Sequential id of the websocket connection.
        shard: ``(shard_id, shard_count)`` of the session, once identified or resumed.
        op: Gateway opcode.
        t: Dispatch event name (op 0 only).
        s: Sequence number (op 0 only).
        d: The frame's data.
        at: ``time.monotonic()`` when recorded.
    """

    direction: Literal["recv", "sent"]
    connection: int
    shard: tuple[int, int] | None
    op: int | None
    t: str | None
    s: int | None
    d: Any
    at: float = field(default_factory=time.monotonic)


@dataclass
class GatewaySession:
    """A gateway session: what a RESUME can continue.

    Attributes:
        session_id: The id sent in READY.
        shard: ``(shard_id, shard_count)`` from IDENTIFY (``(0, 1)`` when absent).
        intents: The intents bitfield from IDENTIFY.
        identify: The IDENTIFY data as received.
        seq: The last sequence number used.
        log: Every dispatch of the session as ``(seq, frame text)``, for replay on RESUME.
        connection: The live connection, or None while the client is reconnecting.
        invalidated: True once the client closed with 1000/1001 or re-identified.
    """

    session_id: str
    shard: tuple[int, int]
    intents: int
    identify: JSON
    seq: int = 0
    log: list[tuple[int, str]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    invalidated: bool = False


class GatewayConnection:
    """One websocket connection and its single writer task."""

    def __init__(self, cid: int, ws: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        self.id = cid
        self.ws = ws
        self.session: GatewaySession | None = None
        self.closed_by_server = False
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._compressor = zlib.compressobj() if zlib_stream else None

    def send_text(self, text: str) -> None:
        """Queue an already serialised frame."""
        self.queue.put_nowait(text)

    async def run_writer(self) -> None:
        """Send queued frames in order until told to stop or the socket goes away."""
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            try:
                if self._compressor is not None:
                    data = self._compressor.compress(text.encode())
                    data += self._compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return


class FakeGateway:
    """Gateway v10 server logic, mounted on the fake's aiohttp app.

    Args:
        world: The shared world model (guilds, users, ...).
        token_ok: Validates the token of IDENTIFY/RESUME.
        resume_url: Returns the ``resume_gateway_url`` to put in READY.
        notify: Awaited after every received frame so waiters re-check their predicates.
        heartbeat_interval: Milliseconds sent in HELLO.
        deny_privileged_intents: Close with 4014 when IDENTIFY asks for a privileged intent.
    """

    def __init__(
        self,
        world: World,
        *,
        token_ok: Callable[[str | None], bool],
        resume_url: Callable[[], str],
        notify: Callable[[], Awaitable[None]],
        heartbeat_interval: int = 41250,
        deny_privileged_intents: bool = False,
    ) -> None:
        self.world = world
        self.frames: list[GatewayFrame] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.active: dict[int, GatewaySession] = {}
        self.connections: set[GatewayConnection] = set()
        self.connection_log: list[JSON] = []
        self.identify_count = 0
        self.resume_count = 0
        self.presence: JSON | None = None
        self.heartbeat_interval = heartbeat_interval
        self.deny_privileged_intents = deny_privileged_intents
        self._token_ok = token_ok
        self._resume_url = resume_url
        self._notify = notify
        self._next_cid = 0

    # -- websocket handler -------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one gateway websocket connection."""
        ws = web.WebSocketResponse(autoping=True, max_msg_size=16 * 1024 * 1024)
        if not ws.can_prepare(request).ok:
            return web.Response(status=404, text="websocket upgrade required")
        await ws.prepare(request)
        self._next_cid += 1
        # zlib-stream: binary frames from one shared compressobj, each ending in Z_SYNC_FLUSH.
        # zstd-stream (asked for when zstandard is importable) is answered with plain TEXT
        # frames, which discord.py parses without its decompressor.
        conn = GatewayConnection(
            self._next_cid, ws, zlib_stream=request.query.get("compress") == "zlib-stream"
        )
        self.connections.add(conn)
        self.connection_log.append(
            {"id": conn.id, "path": request.path, "query": dict(request.query)}
        )
        writer = asyncio.create_task(conn.run_writer())
        try:
            if request.query.get("v", "10") != "10":
                await ws.close(code=_CLOSE_INVALID_API_VERSION, message=b"Invalid API version")
                return ws
            self._send(conn, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval}})
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                try:
                    frame = json.loads(msg.data)
                    op = frame["op"]
                except (ValueError, KeyError, TypeError):
                    await ws.close(
                        code=_CLOSE_DECODE_ERROR, message=b"Error while decoding payload."
                    )
                    break
                self._record("recv", conn, frame)
                await self._notify()
                if not await self._on_frame(conn, op, frame.get("d")):
                    break
        finally:
            conn.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                # Only a client-initiated 1000/1001 close ends the session (as on Discord); the
                # client's reply to our own close frame carries 1000 too.
                if not conn.closed_by_server and ws.close_code in (1000, 1001):
                    session.invalidated = True
        return ws

    async def _on_frame(self, conn: GatewayConnection, op: int, d: Any) -> bool:
        """Handle one client frame; return False once the connection was closed."""
        if op == OP_HEARTBEAT:
            self._send(conn, {"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY:
            return await self._identify(conn, d or {})
        elif op == OP_RESUME:
            return await self._resume(conn, d or {})
        elif conn.session is None:
            await conn.ws.close(code=_CLOSE_NOT_AUTHENTICATED, message=b"Not authenticated.")
            return False
        elif op == OP_PRESENCE_UPDATE:
            self.presence = d
        elif op == OP_REQUEST_GUILD_MEMBERS:
            self._members_chunk(conn.session, d or {})
        elif op != OP_VOICE_STATE_UPDATE:
            await conn.ws.close(code=_CLOSE_UNKNOWN_OPCODE, message=b"Unknown opcode.")
            return False
        return True

    async def _identify(self, conn: GatewayConnection, d: JSON) -> bool:
        if conn.session is not None:
            await conn.ws.close(
                code=_CLOSE_ALREADY_AUTHENTICATED, message=b"Already authenticated."
            )
            return False
        if not self._token_ok(d.get("token")):
            await conn.ws.close(
                code=_CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed."
            )
            return False
        shard_id, shard_count = d.get("shard") or (0, 1)
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            await conn.ws.close(code=_CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return False
        intents = int(d.get("intents") or 0)
        if self.deny_privileged_intents and intents & PRIVILEGED_INTENTS:
            await conn.ws.close(code=_CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return False
        self.identify_count += 1
        session = GatewaySession(secrets.token_hex(16), (shard_id, shard_count), intents, d)
        old = self.active.get(shard_id)
        if old is not None:
            old.invalidated = True
        self.sessions[session.session_id] = session
        self.active[shard_id] = session
        session.connection = conn
        conn.session = session
        if d.get("presence"):
            self.presence = d["presence"]
        guild_ids = self.guilds_of_shard(shard_id, shard_count)
        ready = {
            "v": 10,
            "user": {
                **self.world.user_payload(self.world.bot_user_id),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
            },
            "user_settings": {},
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_url(),
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "_trace": ['["fake-discord-gateway",{}]'],
        }
        self.emit(session, "READY", ready)
        if intents & INTENT_GUILDS:
            for gid in guild_ids:
                self.emit(session, "GUILD_CREATE", self.guild_create_payload(session, gid))
        return True

    async def _resume(self, conn: GatewayConnection, d: JSON) -> bool:
        session = self.sessions.get(str(d.get("session_id")))
        if session is None or session.invalidated or not self._token_ok(d.get("token")):
            self._send(conn, {"op": OP_INVALID_SESSION, "d": False})
            return True
        self.resume_count += 1
        previous = session.connection
        session.connection = conn
        conn.session = session
        if previous is not None and previous is not conn:
            previous.session = None
            previous.closed_by_server = True
            await previous.ws.close(code=4000, message=b"Session resumed elsewhere.")
        last_seen = d.get("seq") or 0
        for seq, text in session.log:
            if seq > last_seen:
                conn.send_text(text)
        self.emit(session, "RESUMED", {"_trace": ['["fake-discord-gateway",{}]']})
        return True

    def _members_chunk(self, session: GatewaySession, d: JSON) -> None:
        guild_ids = d.get("guild_id")
        for raw_gid in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = self.world.guilds.get(int(raw_gid or 0))
            if guild is None:
                continue
            wanted = d.get("user_ids")
            if wanted is not None:
                wanted_ids = {int(u) for u in (wanted if isinstance(wanted, list) else [wanted])}
                ids = [u for u in guild.members if u in wanted_ids]
                not_found = [str(u) for u in wanted_ids if u not in guild.members]
            else:
                query = (d.get("query") or "").lower()
                ids = [
                    u
                    for u in guild.members
                    if self.world.users[u].username.lower().startswith(query)
                ]
                limit = int(d.get("limit") or 0)
                ids = ids[:limit] if limit else ids
                not_found = []
            chunk: JSON = {
                "guild_id": str(guild.id),
                "members": [self.world.member_payload(guild.id, u) for u in ids],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": not_found,
            }
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            if d.get("presences"):
                chunk["presences"] = []
            self.emit(session, "GUILD_MEMBERS_CHUNK", chunk)

    # -- sending -------------------------------------------------------------------------------

    def _record(
        self, direction: Literal["recv", "sent"], conn: GatewayConnection, frame: JSON
    ) -> None:
        shard = conn.session.shard if conn.session else None
        self.frames.append(
            GatewayFrame(
                direction,
                conn.id,
                shard,
                frame.get("op"),
                frame.get("t"),
                frame.get("s"),
                frame.get("d"),
            )
        )

    def _send(self, conn: GatewayConnection, frame: JSON) -> None:
        """Queue a non-dispatch frame on one connection."""
        frame.setdefault("d", None)
        frame.setdefault("s", None)
        frame.setdefault("t", None)
        self._record("sent", conn, frame)
        conn.send_text(_dumps(frame))

    def emit(self, session: GatewaySession, event: str, data: JSON) -> int:
        """Sequence a dispatch in a session, log it for RESUME and send it if connected."""
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        text = _dumps(frame)
        session.log.append((session.seq, text))
        conn = session.connection
        if conn is not None:
            self._record("sent", conn, frame)
            conn.send_text(text)
        return session.seq

    def guilds_of_shard(self, shard_id: int, shard_count: int) -> list[int]:
        """Return the ids of the guilds that belong to a shard (``(id >> 22) % count``)."""
        return [g for g in self.world.guilds if (g >> 22) % shard_count == shard_id]

    def guild_create_payload(
        self, session: GatewaySession, guild_id: int, *, joined: bool = False
    ) -> JSON:
        """Return GUILD_CREATE data for a guild as this session should see it.

        Args:
            session: The receiving session (its intents decide which members are listed).
            guild_id: The guild.
            joined: The bot was just added: Discord then omits ``unavailable`` (discord.py
                dispatches ``guild_join``) instead of sending ``false`` (``guild_available``).
        """
        all_members = bool(session.intents & INTENT_GUILD_PRESENCES)
        data = self.world.guild_payload(guild_id, gateway=True, all_members=all_members)
        if joined:
            del data["unavailable"]
        return data

    def live_sessions(self) -> list[GatewaySession]:
        """Return the current, not invalidated session of every shard."""
        return [s for s in self.active.values() if not s.invalidated]

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """Return the live session that receives events of a guild (shard 0 for DMs)."""
        for session in self.live_sessions():
            shard_id, shard_count = session.shard
            if (guild_id is None and shard_id == 0) or (
                guild_id is not None and (guild_id >> 22) % shard_count == shard_id
            ):
                return session
        return None

    def dispatch(
        self, event: str, data: JSON, *, guild_id: int | None = None, intent: int | None = None
    ) -> int | None:
        """Send a dispatch to the session responsible for ``guild_id`` (shard 0 for DMs).

        Args:
            event: Event name, e.g. ``"INTERACTION_CREATE"``.
            data: The event data.
            guild_id: The guild the event belongs to, which selects the shard.
            intent: Intent bit the event requires; sessions without it don't get the event.

        Returns:
            The sequence number used, or None when no live session should receive it.
        """
        session = self.session_for(guild_id)
        if session is None or (intent is not None and not session.intents & intent):
            return None
        return self.emit(session, event, data)

    def send_op(self, op: int, d: Any = None, *, shard_id: int | None = None) -> int:
        """Send a raw opcode to every live connection (or one shard's); return how many."""
        sent = 0
        for session in self.live_sessions():
            if shard_id is not None and session.shard[0] != shard_id:
                continue
            if session.connection is not None:
                self._send(session.connection, {"op": op, "d": d})
                sent += 1
        return sent

    async def drop(self, *, shard_id: int | None = None, code: int = 4000) -> int:
        """Close live connections from the server side; return how many were closed."""
        closing = [
            c
            for c in list(self.connections)
            if shard_id is None or (c.session is not None and c.session.shard[0] == shard_id)
        ]
        for conn in closing:
            conn.closed_by_server = True
            await conn.ws.close(code=code, message=b"Connection dropped by the fake.")
        return len(closing)

    async def close_all(self) -> None:
        """Close every connection (server shutdown)."""
        await self.drop(code=1001)
