"""A loopback chat platform for the posting benchmarks: an HTTP server that counts messages
and honours a nonce the way Discord's ``enforce_nonce`` does, and an adapter that talks to it.

Server: ``POST /channels/{id}/messages`` with ``{"content", "nonce", "enforce_nonce", "day"}``.
A nonce seen in the last ``nonce_window`` seconds returns the message it created (no new
message). It can inject faults: a 429 with ``retry_after``, a 500 before storing, and a
500 *after* storing (the case only a nonce makes safe).

Adapter: one HTTP attempt per ``send``; maps 429/5xx/403/network errors onto
:class:`~bot.core.ports.SendError` like the real adapters, with optional hooks called
just before the request and just after the answer (where the chaos run injects crashes).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bot.adapters.base import Adapter, SendError
from bot.core.models import Destination, Platform, Reply, SentRef


@dataclass
class Faults:
    """Probabilities of injected platform faults per request."""

    rate_limit: float = 0.0
    retry_after: float = 0.05
    error_before_store: float = 0.0
    error_after_store: float = 0.0


@dataclass
class Message:
    """One message the platform created."""

    message_id: int
    channel: str
    day: str
    nonce: str | None
    accepted_at: float


@dataclass
class PlatformServer:
    """The loopback platform; run it with :meth:`start` on the current event loop."""

    nonce_window: float = 120.0
    faults: Faults = field(default_factory=Faults)
    seed: int = 1
    messages: list[Message] = field(default_factory=list)
    requests: int = 0
    faults_served: Counter[str] = field(default_factory=Counter)
    on_message: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self._nonces: dict[str, Message] = {}
        self._random = random.Random(self.seed)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        """Listen on a free loopback port; returns the base URL."""
        app = web.Application()
        app.router.add_post("/channels/{channel}/messages", self._create)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _create(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.json()
        roll = self._random.random()
        if roll < self.faults.rate_limit:
            self.faults_served["429"] += 1
            retry = {"retry_after": self.faults.retry_after, "global": False}
            return web.json_response(retry, status=429)
        roll -= self.faults.rate_limit
        if roll < self.faults.error_before_store:
            self.faults_served["500-before"] += 1
            return web.json_response({"message": "internal error"}, status=500)
        roll -= self.faults.error_before_store
        now = time.time()
        nonce = body.get("nonce") if body.get("enforce_nonce") else None
        existing = self._nonces.get(nonce) if nonce else None
        if existing is not None and now - existing.accepted_at < self.nonce_window:
            return web.json_response({"id": str(existing.message_id)})
        message = Message(
            len(self.messages) + 1, request.match_info["channel"], str(body.get("day")), nonce, now
        )
        self.messages.append(message)
        if nonce:
            self._nonces[nonce] = message
        async with self._changed:
            self._changed.notify_all()
        if self.on_message is not None:
            self.on_message()
        if roll < self.faults.error_after_store:
            self.faults_served["500-after"] += 1
            return web.json_response({"message": "internal error"}, status=500)
        return web.json_response({"id": str(message.message_id)})

    async def wait_for(self, predicate: Callable[[], bool], within: float = 300.0) -> None:
        """Wait until ``predicate()`` holds (checked whenever a message is created)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    def per_channel_day(self) -> Counter[tuple[str, str]]:
        """How many messages each (channel, day) got."""
        return Counter((m.channel, m.day) for m in self.messages)


def nonce_for(key: str) -> str:
    """A deterministic nonce of at most 25 characters, as the Discord adapter makes."""
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()[:25]


Hook = Callable[[Destination, str | None], None]


class LoopbackAdapter(Adapter):
    """Sends to the loopback platform as the Discord adapter sends to Discord."""

    platform = Platform.DISCORD

    def __init__(
        self,
        base_url: str,
        *,
        before_request: Hook | None = None,
        after_response: Hook | None = None,
        timeout: float = 5.0,
    ) -> None:
        super().__init__()
        self.base_url = base_url
        self.before_request = before_request
        self.after_response = after_response
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None
        self.request_times: list[float] = []

    async def start(self) -> None:
        """Open the HTTP session."""
        self._http = aiohttp.ClientSession(timeout=self._timeout)
        self.ready.set()

    async def stop(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
        self.closed.set()

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """One attempt; errors become :class:`SendError` as in the real adapters."""
        assert self._http is not None and destination.channel_id is not None
        if self.before_request is not None:
            self.before_request(destination, idempotency_key)
        payload = {
            "content": reply.plain_text()[:2000],
            "nonce": nonce_for(idempotency_key) if idempotency_key else None,
            "enforce_nonce": idempotency_key is not None,
            "day": (reply.metadata or {}).get("day"),
        }
        url = f"{self.base_url}/channels/{destination.channel_id}/messages"
        self.request_times.append(time.time())
        try:
            async with self._http.post(url, json=payload) as response:
                body = await response.json()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"network error: {exc!r}", code="network") from exc
        if status == 429:
            raise SendError("rate limited", code="429", retry_after=float(body["retry_after"]))
        if status >= 500:
            raise SendError(f"platform error {status}", code=str(status))
        if status >= 400:
            raise SendError(f"refused: {status}", permanent=True, code=str(status))
        if self.after_response is not None:
            self.after_response(destination, idempotency_key)
        return SentRef(destination.channel_id, str(body["id"]))


class ThreadedServer:
    """A :class:`PlatformServer` on its own thread and event loop.

    Its arrival timestamps are then not delayed by the bot's own event loop, which matters
    when measuring how evenly the bot spaces its requests.
    """

    def __init__(self, server: PlatformServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._arrived = asyncio.Event()
        self._caller: asyncio.AbstractEventLoop | None = None

    async def start(self) -> str:
        """Start the thread and the server; returns the base URL."""
        self._caller = asyncio.get_running_loop()
        caller = self._caller
        self.server.on_message = lambda: caller.call_soon_threadsafe(self._arrived.set)
        self._thread.start()
        return await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(self.server.start(), self._loop)
        )

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        """Wait (on the caller's loop) until ``predicate()`` holds."""
        while not predicate():
            await self._arrived.wait()
            self._arrived.clear()

    async def stop(self) -> None:
        """Stop the server and its thread."""
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
