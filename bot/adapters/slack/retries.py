"""Retries in both directions: Slack's redeliveries to us, and our Web API calls to Slack.

Inbound: Slack resends an Events API delivery it thinks failed (``X-Slack-Retry-Num``; in
Socket Mode ``retry_attempt``, which bolt ≥ 1.29 maps to the same header) with the same
``event_id``, and may redeliver an interaction envelope. :func:`delivery_key` names one logical
delivery so :class:`~bot.adapters.slack.cache.SeenKeys` processes it once. The memory is per
process: behind a load balancer with several instances, a retry that lands on another instance
is processed again (events here only republish the Home tab, which is harmless to repeat;
check-ins are idempotent in the database).

Outbound: slack_sdk retries only connection errors by default. :class:`RateLimitRetryHandler`
adds bounded retries of ``429`` that honour ``Retry-After`` and count every 429 in
``studybot_platform_rate_limited_total``.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import metrics

EVENT_TTL_SECONDS = 15 * 60  # Slack retries after ~1 and ~5 minutes; keep ids well past that


def delivery_key(body: dict[str, Any]) -> str | None:
    """A stable id for one delivery of ``body`` (same on every retry), or ``None``."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    kind = body.get("type")
    user = body.get("user") or {}
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        first = actions[0]
        return (
            f"action:{user.get('id')}:{body.get('trigger_id')}:"
            f"{first.get('action_id')}:{first.get('action_ts')}"
        )
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body.get('user_id')}:{body['trigger_id']}"
    return None


def retry_after_seconds(headers: Any) -> float | None:
    """``Retry-After`` from a header mapping (values may be lists), in seconds."""
    if not headers:
        return None
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            raw = value[0] if isinstance(value, (list, tuple)) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


class RateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """Retry 429s after ``Retry-After`` (plus jitter), a bounded number of times.

    Args:
        max_retry_count: Retries per call before the 429 reaches the caller.
        max_wait: A ``Retry-After`` longer than this is not waited out here: the caller gets
            the error (with the wait) and schedules its own retry instead of blocking.
        jitter: Up to this many random seconds are added, so bursts do not retry in step.
    """

    def __init__(self, max_retry_count: int = 2, max_wait: float = 30.0, jitter: float = 1.0):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self.jitter = jitter

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """Count every 429, then retry it if attempts remain and the wait is short enough."""
        if error is not None or response is None or response.status_code != 429:
            return False
        metrics.RATE_LIMITED.labels(platform="slack").inc()
        wait = retry_after_seconds(response.headers)
        if wait is not None and wait > self.max_wait:
            return False
        return await super().can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Sleep for ``Retry-After`` (1 s if absent) plus jitter, then try again."""
        wait = retry_after_seconds(response.headers if response is not None else None)
        await asyncio.sleep((1.0 if wait is None else wait) + random.random() * self.jitter)
        state.next_attempt_requested = True
        state.increment_current_attempt()
