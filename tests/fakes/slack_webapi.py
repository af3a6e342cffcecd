"""The fake Slack's Web API endpoint: argument decoding, tokens, faults, rate limits, recording.

Real Slack answers almost every failure with ``HTTP 200 {"ok": false, "error": ...}``; only rate
limits (``429`` + ``Retry-After``) and outages use other statuses. The endpoint accepts
arguments from the query string, form bodies (urlencoded or multipart, with JSON-encoded
``blocks``/``attachments``/``metadata``/``view``) and JSON bodies, and checks
``Authorization: Bearer``: the bot token for every method, the app-level token for
``apps.connections.open``. Unknown methods answer ``unknown_method``.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .slack_methods import SlackWebApi
from .slack_records import RecordedCall, Recorder
from .slack_socket import SocketModeHub
from .slack_world import ApiError

__all__ = ["WebApiEndpoint"]

Args = dict[str, Any]

_JSON_FIELDS = ("blocks", "attachments", "metadata", "view")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    error: str | None
    times: int
    commit: bool
    drop: bool
    delay: float

    def body(self) -> Args:
        default = {429: "ratelimited", 200: "internal_error"}.get(self.status, "internal_error")
        return {"ok": False, "error": self.error or default}


@dataclass
class _Bucket:
    tokens: float
    updated: float


class WebApiEndpoint:
    """Serves ``/api/{method}`` for :class:`tests.fakes.slack_server.FakeSlack`.

    Args:
        world: The workspace and its methods.
        recorder: Where calls are recorded.
        socket: Mints Socket Mode URLs for ``apps.connections.open``.
        bot_token: The accepted bot token.
        app_token: The accepted app-level token.
        base_url: Returns the server's ``http://host:port`` (known only once bound).
    """

    def __init__(
        self,
        world: SlackWebApi,
        recorder: Recorder,
        socket: SocketModeHub,
        *,
        bot_token: str,
        app_token: str,
        base_url: Callable[[], str],
    ) -> None:
        self.world = world
        self.recorder = recorder
        self.socket = socket
        self.bot_token = bot_token
        self.app_token = app_token
        self.base_url = base_url
        self._faults: dict[str, list[_Fault]] = {}
        self._post_times: dict[str, list[float]] = {}
        self._rate_interval: float | None = None
        self._rate_burst = 1
        self._rate_retry_after = 1
        self._buckets: dict[str, _Bucket] = {}

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
        """Make the next ``times`` calls of ``method`` fail.

        Args:
            method: Web API method, e.g. ``chat.postMessage``.
            status: HTTP status. Default: 429 (with ``Retry-After``), or 200 when ``error`` is
                given (``{"ok": false, "error": error}``). 5xx answer a JSON error body.
            retry_after: ``Retry-After`` seconds for 429. slack_sdk's
                ``AsyncRateLimitErrorRetryHandler`` sleeps ``int(Retry-After) + random()``, so
                use 0 in tests (and patch ``random`` if even < 1 s matters).
            error: Error code of the body; defaults to ``ratelimited`` / ``internal_error``.
            times: How many consecutive calls fail.
            commit: Apply the method first, then answer the failure (an *uncertain* outcome:
                e.g. the message is stored but the client sees an error and may re-send).
            drop: Close the connection without answering (the client sees a disconnect; its
                default ``AsyncConnectionErrorRetryHandler`` retries once).
            delay: Seconds to wait before answering (to exercise client timeouts).
        """
        if status is None:
            status = 200 if error else 429
        fault = _Fault(status, retry_after, error, times, commit, drop, delay)
        self._faults.setdefault(method, []).append(fault)

    def clear_faults(self) -> None:
        """Drop every pending injected fault."""
        self._faults.clear()

    def limit_post_rate(
        self, interval: float | None = 1.0, *, burst: int = 1, retry_after: int = 1
    ) -> None:
        """Enforce Slack's ~1 message/s/channel on ``chat.postMessage`` (token bucket).

        Args:
            interval: Seconds per message per channel; None disables the limit.
            burst: Messages allowed back to back before the limit applies.
            retry_after: ``Retry-After`` sent with the 429 ``ratelimited`` answer.
        """
        self._rate_interval = interval
        self._rate_burst = burst
        self._rate_retry_after = retry_after
        self._buckets.clear()

    def post_times(self, channel_id: str) -> list[float]:
        """``time.monotonic()`` of every stored ``chat.postMessage`` in ``channel_id``."""
        return list(self._post_times.get(channel_id, []))

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    def _rate_limited(self, args: Args) -> bool:
        if self._rate_interval is None:
            return False
        ref = str(args.get("channel") or "")
        key = self.world.dm_id(ref) if ref in self.world.users else ref
        now = time.monotonic()
        bucket = self._buckets.setdefault(key, _Bucket(float(self._rate_burst), now))
        rate = 1.0 / self._rate_interval if self._rate_interval > 0 else float("inf")
        bucket.tokens = min(float(self._rate_burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return True
        bucket.tokens -= 1.0
        return False

    async def _read_args(self, request: web.Request) -> tuple[Args, str, str | None]:
        args: Args = dict(request.query)
        content_type = request.content_type if request.body_exists else ""
        if content_type == "application/json":
            try:
                data = await request.json()
            except ValueError:
                raise ApiError("invalid_json") from None
            if isinstance(data, dict):
                data.pop("token", None)  # Slack ignores a token inside a JSON body
                args.update(data)
        elif content_type in _FORM_TYPES:
            form = await request.post()
            for key in form:
                field = form[key]
                if isinstance(field, str):
                    args[key] = field
                elif isinstance(field, web.FileField):
                    args[key] = f"<file {field.filename}>"
                else:
                    args[key] = bytes(field).decode("utf-8", "replace")
        token: str | None = None
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer ") :].strip()
        elif isinstance(args.get("token"), str) and content_type != "application/json":
            token = args["token"]
        args.pop("token", None)
        for key in _JSON_FIELDS:
            raw = args.get(key)
            if isinstance(raw, str) and raw[:1] in ("[", "{"):
                try:
                    args[key] = json.loads(raw)
                except ValueError:
                    raise ApiError(f"invalid_{key}") from None
        return args, content_type, token

    def _token_kind(self, token: str | None) -> str | None:
        if token is None:
            return None
        if token == self.bot_token:
            return "bot"
        if token == self.app_token:
            return "app"
        return "unknown"

    @staticmethod
    def _auth_error(method: str, kind: str | None) -> str | None:
        if method == "api.test":
            return None
        if kind is None:
            return "not_authed"
        wanted = "app" if method == "apps.connections.open" else "bot"
        if kind == wanted:
            return None
        return "invalid_auth" if kind == "unknown" else "not_allowed_token_type"

    def _execute(self, method: str, args: Args) -> Args:
        if method == "apps.connections.open":
            ws_base = self.base_url().replace("http://", "ws://", 1)
            return {"ok": True, "url": self.socket.issue_url(ws_base)}
        try:
            result = self.world.methods[method](args)
        except ApiError as e:
            return e.body()
        if method == "chat.postMessage":
            self._post_times.setdefault(result["channel"], []).append(time.monotonic())
        return {"ok": True, **result}

    async def _answer(
        self, method: str, args: Args, kind: str | None
    ) -> tuple[int, Args, dict[str, str], bool]:
        if method not in self.world.methods and method != "apps.connections.open":
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}, False
        auth_error = self._auth_error(method, kind)
        if auth_error:
            return 200, {"ok": False, "error": auth_error}, {}, False
        fault = self._take_fault(method)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if (
            method == "chat.postMessage"
            and (fault is None or fault.commit)
            and self._rate_limited(args)
        ):
            retry = {"Retry-After": str(self._rate_retry_after)}
            return 429, {"ok": False, "error": "ratelimited"}, retry, False
        body = self._execute(method, args) if fault is None or fault.commit else {}
        if fault is None:
            return 200, body, {}, False
        if fault.drop:
            return 0, {}, {}, True
        headers = {}
        if fault.status == 429 and fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        return fault.status, fault.body(), headers, fault.drop

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for ``/api/{method}`` (any HTTP verb)."""
        method = request.match_info["method"]
        arrived = time.monotonic()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        kind: str | None = None
        content_type = ""
        args: Args = {}
        try:
            args, content_type, token = await self._read_args(request)
            kind = self._token_kind(token)
            status, body, extra, drop = await self._answer(method, args, kind)
        except ApiError as e:
            status, body, extra, drop = 200, e.body(), {}, False
        self.recorder.calls.append(
            RecordedCall(
                method=method,
                args=copy.deepcopy(args),
                headers=headers,
                http_method=request.method,
                content_type=content_type,
                token_kind=kind,
                at=arrived,
                status=status,
                response=copy.deepcopy(body),
            )
        )
        await self.recorder.notify()
        if drop and request.transport is not None:
            request.transport.abort()
            return web.Response(status=500)
        return web.json_response(
            body,
            status=status,
            headers={
                "X-OAuth-Scopes": ",".join(self.world.scopes),
                "X-Slack-Req-Id": uuid.uuid4().hex,
                **extra,
            },
        )
