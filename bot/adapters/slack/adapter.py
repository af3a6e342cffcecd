"""The Slack adapter: slack-bolt's ``AsyncApp`` over HTTP or Socket Mode, tied to the core.

Inbound, bolt verifies each HTTP request's signature (401 for a missing, wrong or stale one)
and calls our listeners, which acknowledge at once and leave the work to tracked tasks.
Outbound, :class:`~bot.adapters.slack.delivery.SlackPostSender` paces and de-duplicates
proactive posts.

``auth.test`` runs once at start; its answer authorizes every request, so nothing on the
request path waits for Slack or the database before the ack.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import Adapter, Capability
from bot.adapters.slack import listeners, socket_gate
from bot.adapters.slack.cache import SeenKeys
from bot.adapters.slack.delivery import SlackPostSender
from bot.adapters.slack.home import HomeTab
from bot.adapters.slack.inbound import InboundWork
from bot.adapters.slack.intake import Intake
from bot.adapters.slack.late import LateAnswers
from bot.adapters.slack.moderators import ActorResolver, ModeratorConfig
from bot.adapters.slack.priority import AckFirst
from bot.adapters.slack.redact import sdk_logger
from bot.adapters.slack.respond import ReplySender
from bot.adapters.slack.retries import EVENT_TTL_SECONDS, RateLimitRetryHandler
from bot.core.dispatcher import Dispatcher
from bot.core.inbox import PendingEntry
from bot.core.models import Destination, Platform, Reply, SentRef
from bot.scheduling.pacing import Pacer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackConfig:
    """What the adapter needs from the settings.

    Attributes:
        bot_token: ``xoxb-…``.
        signing_secret: Verifies HTTP requests (HTTP mode).
        app_token: ``xapp-…``; Socket Mode when set.
        api_url: Web API base address.
        moderators: Extra moderators (user ids and user-group ids).
        stop_grace: Seconds ``stop()`` waits for in-flight work.
        max_concurrent_work: Acknowledged requests worked on at once; the rest wait their turn.
    """

    bot_token: str
    signing_secret: str = ""
    app_token: str | None = None
    api_url: str = "https://slack.com/api/"
    moderators: ModeratorConfig = field(default_factory=ModeratorConfig)
    stop_grace: float = 10.0
    max_concurrent_work: int = 8

    @property
    def socket_mode(self) -> bool:
        """Whether to connect over Socket Mode (an app token is set)."""
        return bool(self.app_token)


class SlackAdapter(Adapter):
    """Serves one Slack workspace through slack-bolt.

    Args:
        dispatcher: The core's dispatcher.
        config: Tokens, addresses and tuning.
        retry_handlers: Web API retry policy (default: connection errors once, 429s twice).
        pacer: The process's one pacer; the adapter paces only the late answers it sends
            itself (scheduled posts come through ``send``, already paced by ``Delivery``).
    """

    platform = Platform.SLACK
    capabilities = frozenset(
        {Capability.EPHEMERAL, Capability.BUTTONS, Capability.DIRECT_MESSAGES, Capability.FILES}
    )

    def __init__(
        self,
        dispatcher: Dispatcher,
        config: SlackConfig,
        *,
        retry_handlers: list[AsyncRetryHandler] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        secrets = [config.bot_token, config.signing_secret, config.app_token or ""]
        self.sdk_log = sdk_logger(secrets)
        self.retry_handlers = retry_handlers or [
            AsyncConnectionErrorRetryHandler(),
            RateLimitRetryHandler(max_retry_count=2),
        ]
        self.web = self._client(config.bot_token)
        self.poster = SlackPostSender(self.web, pacer or Pacer())
        self.resolver = ActorResolver(self.web, config.moderators)
        self.home = HomeTab(self.web, dispatcher)
        sender = ReplySender(self.web, self.retry_handlers, lambda: self._session, self.sdk_log)
        self.work = InboundWork(dispatcher, self.resolver, sender, self.home)
        self.seen = SeenKeys(ttl=EVENT_TTL_SECONDS)
        self.auth: dict[str, Any] | None = None
        self._auth_task: asyncio.Task[dict[str, Any]] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # A burst of commands queues here instead of all hitting the database at once, so
        # the event loop stays free to acknowledge the requests still arriving.
        self._work_slots = asyncio.Semaphore(config.max_concurrent_work)
        self.priority = AckFirst()
        self._socket: AsyncSocketModeHandler | None = None
        self._accepting = True
        self.bolt = self._build_bolt()
        services = dispatcher.services
        inbox = services.inbox
        self.intake = Intake(inbox, services.clock)
        self.late = LateAnswers(self.work, self.poster, inbox, services.clock) if inbox else None
        listeners.register(
            self.bolt, self.work, self.seen, self.spawn, self.priority.arrived, self.intake
        )

    def _client(self, token: str | None) -> AsyncWebClient:
        return AsyncWebClient(
            token=token,
            base_url=self.config.api_url,
            retry_handlers=list(self.retry_handlers),
            logger=self.sdk_log,
        )

    def _build_bolt(self) -> AsyncApp:
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            auth = await self.authenticate()
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id or auth.get("team_id"),
                bot_user_id=auth.get("user_id"),
                bot_id=auth.get("bot_id"),
                bot_token=self.config.bot_token,
            )

        # The app-level client carries no token: each request's client gets the bot token
        # from authorize(), and Socket Mode passes the app token itself.
        return AsyncApp(
            name="studybot",
            client=self._client(None),
            signing_secret=self.config.signing_secret,
            authorize=authorize,
            # Our listeners only ack and schedule work, so bolt may answer when they return;
            # that skips bolt's 10 ms ack polling and keeps the work in tasks we track.
            process_before_response=True,
            logger=self.sdk_log,
        )

    # ------------------------------------------------------------------ lifecycle

    async def authenticate(self) -> dict[str, Any]:
        """``auth.test`` once (shared by concurrent callers); raises if the token is bad."""
        if self.auth is not None:
            return self.auth
        if self._auth_task is None or (self._auth_task.done() and self._auth_task.exception()):
            self._auth_task = asyncio.ensure_future(self._auth_test())
        return await asyncio.shield(self._auth_task)

    async def _auth_test(self) -> dict[str, Any]:
        response = await self.web.auth_test()
        self.auth = dict(response.data) if isinstance(response.data, dict) else {}
        self.poster.bot_id = self.auth.get("bot_id")
        self.work.team_domain = _domain(self.auth)
        return self.auth

    async def start(self) -> None:
        """Check the token, then connect Socket Mode (HTTP mode is served by the app's server).

        Raises:
            RuntimeError: Slack refused a token or could not be reached; the message says
                which, without the token.
        """
        self._session = aiohttp.ClientSession()
        for client in (self.web, self.bolt.client):
            client.session = self._session
        try:
            auth = await self.authenticate()
        except SlackApiError as exc:
            await self._close_session()
            raise RuntimeError(f"Slack refused SLACK_BOT_TOKEN ({_code(exc)})") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            await self._close_session()
            raise RuntimeError(
                f"cannot reach Slack at {self.config.api_url}: {type(exc).__name__}"
            ) from None
        log.info(
            "Slack: signed in as %s in %s (%s mode)",
            auth.get("user"),
            auth.get("team"),
            "Socket" if self.config.socket_mode else "HTTP",
        )
        if self.config.socket_mode:
            self._socket = AsyncSocketModeHandler(
                self.bolt, self.config.app_token, logger=self.sdk_log, web_client=self.bolt.client
            )
            try:
                # slack_sdk's connect() retries a refused app token forever; asking for the
                # first URL ourselves turns that into a clear start-up error.
                socket_client = self._socket.client
                socket_gate.install(socket_client)
                socket_client.wss_uri = await socket_client.issue_new_wss_url()
                await self._socket.connect_async()  # type: ignore[no-untyped-call]
            except SlackApiError as exc:
                with suppress(Exception):
                    await self._socket.close_async()  # type: ignore[no-untyped-call]
                self._socket = None
                await self._close_session()
                raise RuntimeError(f"Slack refused SLACK_APP_TOKEN ({_code(exc)})") from None
        self.ready.set()

    async def _close_session(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def stop(self) -> None:
        """Stop taking requests, let in-flight work finish (bounded), close connections."""
        self._accepting = False
        if self._socket is not None:
            with suppress(Exception):
                await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self.config.stop_grace)
            for task in pending:
                task.cancel()
            if pending:
                log.warning(
                    "Slack: %d request(s) still running at shutdown were cancelled", len(pending)
                )
                await asyncio.gather(*pending, return_exceptions=True)
        await self._close_session()
        self.closed.set()

    @property
    def accepting(self) -> bool:
        """Whether new requests are taken (false once stopping)."""
        return self._accepting

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run acknowledged work in a task that shutdown waits for."""
        task = asyncio.create_task(self._guard(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await self.priority.lull()
            async with self._work_slots:
                await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Slack: %s failed", name)

    async def wait_idle(self) -> None:
        """Wait until no acknowledged work is running (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*set(self._tasks), return_exceptions=True)

    async def replay(self, pending: PendingEntry) -> None:
        """Finish a command a crash left in the inbox (see :mod:`.late`)."""
        if self.late is None:
            return
        if self.auth is None:
            await self.authenticate()
        await self.late.replay(pending)

    # ------------------------------------------------------------------ outbound

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Post a proactive message: one attempt, unpaced (``Delivery`` paced it).

        See :class:`~bot.adapters.slack.delivery.SlackPostSender`.
        """
        if self.auth is None:
            await self.authenticate()
        return await self.poster.post(destination, reply, idempotency_key)


def _domain(auth: dict[str, Any]) -> str:
    """``study`` from ``auth.test``'s ``https://study.slack.com/`` (else the team name)."""
    host = urlparse(str(auth.get("url") or "")).hostname or ""
    return host.split(".")[0] or str(auth.get("team") or "")


def _code(exc: SlackApiError) -> str:
    try:
        return str(exc.response["error"])
    except (KeyError, TypeError):
        return "unknown error"
