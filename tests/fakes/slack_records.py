"""What the fake Slack saw: Web API calls, response_url posts, socket frames, inbound posts.

All records carry ``at`` from :func:`time.monotonic` so tests and benchmarks can check pacing.
:class:`Recorder` wakes waiters through one :class:`asyncio.Condition`; nothing here sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["InboundRequest", "RecordedCall", "Recorder", "ResponsePost", "SocketFrame"]

T = TypeVar("T")


@dataclass(frozen=True)
class RecordedCall:
    """One Web API request and the fake's answer.

    Attributes:
        method: Slack method name, e.g. ``chat.postMessage``.
        args: Decoded arguments (query + form/JSON body; JSON-in-form fields such as ``blocks``
            decoded; ``token`` removed).
        headers: Request headers without ``Authorization``.
        http_method: ``GET`` or ``POST``.
        content_type: Body content type (``application/json``, form, or empty).
        token_kind: ``"bot"``, ``"app"``, ``"unknown"`` or ``None`` when no token was sent.
        at: ``time.monotonic()`` when the request arrived.
        status: HTTP status answered (0 when the connection was dropped unanswered).
        response: JSON body answered (``{}`` when dropped).
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    http_method: str
    content_type: str
    token_kind: str | None
    at: float
    status: int
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when the call succeeded (HTTP 200 and ``"ok": true``)."""
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """The ``error`` code answered, if any."""
        err = self.response.get("error")
        return str(err) if err is not None else None


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a fake ``response_url``.

    Attributes:
        id: The response_url id (last path segment).
        body: Decoded JSON body (``{}`` when it was not JSON).
        at: ``time.monotonic()`` of arrival.
        status: HTTP status answered.
        answer: Plain-text body answered (``ok`` or an error such as ``used_url``).
    """

    id: str
    body: dict[str, Any]
    at: float
    status: int
    answer: str

    @property
    def response_type(self) -> str | None:
        """``in_channel`` / ``ephemeral`` or None."""
        return self.body.get("response_type")

    @property
    def text(self) -> str | None:
        """Message text."""
        return self.body.get("text")

    @property
    def blocks(self) -> list[dict[str, Any]] | None:
        """Message blocks."""
        return self.body.get("blocks")

    @property
    def replace_original(self) -> bool:
        """Whether the source message is to be replaced."""
        return bool(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        """Whether the source message is to be deleted."""
        return bool(self.body.get("delete_original"))


@dataclass(frozen=True)
class SocketFrame:
    """One Socket Mode text frame.

    Attributes:
        direction: ``"sent"`` (fake → app) or ``"received"`` (app → fake).
        connection: 1-based index of the websocket connection.
        data: Decoded JSON (dict) or the raw text when it was not JSON.
        at: ``time.monotonic()``.
    """

    direction: str
    connection: int
    data: Any
    at: float


@dataclass(frozen=True)
class InboundRequest:
    """A request the fake sent to the app's HTTP endpoint (slash command, action, event).

    Attributes:
        kind: ``slash_command``, ``block_actions``, ``event_callback``, ``url_verification``
            or ``raw``.
        url: Target URL.
        headers: Headers sent (signature included).
        body: Exact body sent.
        payload: The logical payload (form fields or JSON object).
        response_url_id: The response_url id minted for it, if any.
        status: HTTP status the app answered.
        answer: Body the app answered (the ack).
        at: ``time.monotonic()`` when the answer arrived.
    """

    kind: str
    url: str
    headers: dict[str, str]
    body: str
    payload: dict[str, Any]
    response_url_id: str | None
    status: int
    answer: str
    at: float


class Recorder:
    """Shared lists of records plus the condition that wakes ``wait_*`` helpers."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self.response_posts: list[ResponsePost] = []
        self.frames: list[SocketFrame] = []
        self.inbound: list[InboundRequest] = []
        self.cond = asyncio.Condition()

    async def notify(self) -> None:
        """Wake every waiter so it re-checks its predicate."""
        async with self.cond:
            self.cond.notify_all()

    async def wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:  # noqa: ASYNC109
        """Wait until ``check()`` returns something other than None and return it.

        Args:
            check: Evaluated now and after every recorded change.
            timeout: Seconds before giving up.
            what: Description used in the timeout message.

        Returns:
            The first non-None value of ``check()``.

        Raises:
            TimeoutError: With a summary of the recorded Web API calls.
        """
        box: list[T] = []

        def ready() -> bool:
            value = check()
            if value is None:
                return False
            box.append(value)
            return True

        async with self.cond:
            try:
                await asyncio.wait_for(self.cond.wait_for(ready), timeout)
            except TimeoutError:
                seen = ", ".join(
                    f"{c.method}->{c.status}:{c.error or 'ok'}" for c in self.calls[-20:]
                )
                raise TimeoutError(
                    f"FakeSlack: timed out after {timeout}s waiting for {what}; "
                    f"last Web API calls: [{seen}]"
                ) from None
        return box[-1]
