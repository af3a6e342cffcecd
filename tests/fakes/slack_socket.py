"""Socket Mode for the fake Slack: ``apps.connections.open`` tickets and the ``/link`` websocket.

Protocol (``/work/shared/reference/testing-against-fake-platforms.md`` §4.6): on connect the
server sends ``hello``; it pushes envelopes ``{"envelope_id", "type", "payload",
"accepts_response_payload"[, "retry_attempt", "retry_reason"]}``; the app acks with
``{"envelope_id"[, "payload"]}``; ``{"type": "disconnect", "reason": "refresh_requested"}`` makes
slack_sdk fetch a fresh URL and reconnect. aiohttp's server-side autoping answers the SDK's
``sdk-ping-pong`` pings.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .slack_payloads import dumps, new_envelope_id
from .slack_records import Recorder, SocketFrame

__all__ = ["SocketConnection", "SocketModeHub"]

AckHook = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]


@dataclass
class SocketConnection:
    """One websocket opened by the app."""

    index: int
    ws: web.WebSocketResponse
    opened_at: float
    draining: bool = False
    closed: bool = False

    @property
    def live(self) -> bool:
        """True when envelopes may still be delivered on this connection."""
        return not self.closed and not self.draining and not self.ws.closed


class SocketModeHub:
    """Server side of Socket Mode, shared by :class:`tests.fakes.slack_server.FakeSlack`.

    Args:
        recorder: Where frames are recorded and waiters are woken.
        app_id: Reported in ``hello`` and in the websocket URL.
        on_ack: Called with ``(envelope, ack_payload)`` for every ack, so the fake can
            apply an ack body the way Slack shows it (e.g. a slash command reply).
    """

    def __init__(self, recorder: Recorder, app_id: str, on_ack: AckHook | None = None) -> None:
        self.recorder = recorder
        self.app_id = app_id
        self.on_ack = on_ack
        self.tickets: set[str] = set()
        self.urls_issued = 0
        self.connections: list[SocketConnection] = []
        self.envelopes: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, dict[str, Any]] = {}
        self.accepting = True

    def issue_url(self, ws_base: str) -> str:
        """Mint a single-use websocket URL (what ``apps.connections.open`` returns)."""
        ticket = uuid.uuid4().hex
        self.tickets.add(ticket)
        self.urls_issued += 1
        return f"{ws_base}/link?ticket={ticket}&app_id={self.app_id}"

    @property
    def live(self) -> list[SocketConnection]:
        """Connections that can receive envelopes (open and not asked to disconnect)."""
        return [c for c in self.connections if c.live]

    async def _send(self, conn: SocketConnection, message: dict[str, Any]) -> None:
        await conn.ws.send_str(dumps(message))
        self.recorder.frames.append(SocketFrame("sent", conn.index, message, time.monotonic()))
        await self.recorder.notify()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for ``GET /link?ticket=...`` (websocket upgrade)."""
        ticket = request.query.get("ticket", "")
        if not self.accepting:
            return web.Response(status=503, text="shutting_down")
        if ticket not in self.tickets:
            return web.Response(status=401, text="invalid_ticket")
        self.tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = SocketConnection(len(self.connections) + 1, ws, time.monotonic())
        self.connections.append(conn)
        try:
            await self._send(
                conn,
                {
                    "type": "hello",
                    "num_connections": len(self.live),
                    "debug_info": {
                        "host": f"applink-fake-{conn.index}",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                },
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data: Any = json.loads(msg.data)
                except ValueError:
                    data = msg.data
                self.recorder.frames.append(
                    SocketFrame("received", conn.index, data, time.monotonic())
                )
                if isinstance(data, dict) and "envelope_id" in data:
                    envelope_id = str(data["envelope_id"])
                    ack = data.get("payload") or {}
                    self.acks[envelope_id] = ack
                    envelope = self.envelopes.get(envelope_id)
                    if envelope is not None and self.on_ack is not None:
                        await self.on_ack(envelope, ack)
                await self.recorder.notify()
        finally:
            conn.closed = True
            await self.recorder.notify()
        return ws

    async def send(
        self,
        type_: str,
        payload: Any,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
        envelope_id: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> str:
        """Push one envelope on the newest live connection (waiting for one if needed)."""
        conn = await self.recorder.wait_until(
            lambda: self.live[-1] if self.live else None, timeout, "a live Socket Mode connection"
        )
        eid = envelope_id or new_envelope_id()
        if accepts_response_payload is None:
            accepts_response_payload = type_ == "slash_commands" or (
                type_ == "interactive"
                and isinstance(payload, dict)  # a malformed (non-object) payload is allowed
                and payload.get("type") in ("view_submission", "block_suggestion")
            )
        envelope: dict[str, Any] = {
            "envelope_id": eid,
            "payload": payload,
            "type": type_,
            "accepts_response_payload": accepts_response_payload,
        }
        if type_ == "events_api" or retry_attempt or retry_reason:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        self.envelopes[eid] = envelope
        await self._send(conn, envelope)
        return eid

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait for the app's ack of ``envelope_id`` and return its payload (``{}`` if none)."""
        return await self.recorder.wait_until(
            lambda: self.acks.get(envelope_id), timeout, f"the ack of envelope {envelope_id}"
        )

    async def disconnect(self, reason: str = "refresh_requested") -> int:
        """Send ``disconnect`` on every live connection; returns how many were asked."""
        targets = self.live
        for conn in targets:
            conn.draining = True
            await self._send(
                conn,
                {
                    "type": "disconnect",
                    "reason": reason,
                    "debug_info": {"host": f"applink-fake-{conn.index}"},
                },
            )
        return len(targets)

    async def close(self, code: int = WSCloseCode.GOING_AWAY) -> int:
        """Close every open connection from the server side; returns how many were closed."""
        targets = [c for c in self.connections if not c.closed and not c.ws.closed]
        for conn in targets:
            conn.draining = True
            await conn.ws.close(code=code, message=b"fake server closed the connection")
        return len(targets)

    async def wait_connected(self, n: int = 1, timeout: float = 5.0) -> SocketConnection:  # noqa: ASYNC109
        """Wait until ``n`` connections were opened in total and one of them is live."""
        return await self.recorder.wait_until(
            lambda: self.live[-1] if len(self.connections) >= n and self.live else None,
            timeout,
            f"Socket Mode connection #{n}",
        )
