"""Sending one scheduled post: pacing, retries with back-off, and honest failure reports.

Adapters make one attempt per call and raise :class:`~bot.core.ports.SendError`;
this module owns the policy above them:

* a rate limit (``retry_after``) is waited out exactly, or handed back to the ledger when
  the wait is longer than a job should hold a lease;
* other transient errors (5xx, timeouts, connection resets) are retried with exponential
  back-off and jitter;
* permanent errors (no access to the channel) fail at once;
* closed direct messages are raised as they are, so the caller can fall back to a mention.

Every attempt reuses the post's idempotency key, so a retry after an uncertain failure
(a 5xx that may have created the message) cannot post twice where the platform honours
the key.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot import metrics
from bot.core.messenger import NoAdapter
from bot.core.models import Destination, Reply, SentRef
from bot.core.ports import DirectMessagesClosed, SendError
from bot.scheduling.pacing import Pacer, Sleep

log = logging.getLogger(__name__)

#: Error codes adapters use when the platform never answered (timeouts, connection resets):
#: the request may have been processed. An error the platform *answered* (HTTP 5xx) means
#: it did not create the message; an answered 429 never does.
UNANSWERED = frozenset({None, "network", "connection", "timeout", "error"})

#: Called before every attempt with its number; returns ``False`` when the claim was lost.
BeforeAttempt = Callable[[int], Awaitable[bool]]


class Sender(Protocol):
    """Anything that sends a reply to a destination (the :class:`Messenger`)."""

    async def send(
        self, destination: Destination, reply: Reply, *, idempotency_key: str | None = None
    ) -> SentRef:
        """Make one attempt; raise ``SendError`` on failure."""
        ...


class LostClaim(Exception):
    """Another instance took the post over; this one must not send it."""


#: The delivery failure is the core's :class:`~bot.core.ports.SendError` (with
#: ``maybe_delivered`` set); the old name is kept for code written against it.
DeliveryFailed = SendError


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one job tries before giving the post back to the ledger.

    Attributes:
        max_attempts: Attempts per job run (the sweeper retries later runs).
        base_delay: First back-off in seconds; doubles per attempt.
        max_delay: Cap of one back-off.
        max_inline_wait: A ``Retry-After`` longer than this is not slept through; the row
            is released and retried when the wait is over.
    """

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_inline_wait: float = 60.0

    def backoff(self, attempt: int, jitter: float) -> float:
        """Delay after failed attempt ``attempt`` (1-based); ``jitter`` is in [0, 1)."""
        raw = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        # "Equal jitter": at least half the delay, so retries of many posts spread out
        # without any of them hammering the platform early.
        return raw / 2 + raw / 2 * jitter


class Delivery:
    """Sends posts through a :class:`Sender` with pacing and retries."""

    def __init__(
        self,
        sender: Sender,
        pacer: Pacer,
        policy: RetryPolicy | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.sender = sender
        self.pacer = pacer
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self._jitter = jitter

    async def send(
        self,
        destination: Destination,
        reply: Reply,
        *,
        key: str,
        before_attempt: BeforeAttempt | None = None,
    ) -> SentRef:
        """Deliver ``reply`` or raise why not.

        Args:
            destination: Where to send.
            reply: What to send.
            key: The post's idempotency key, the same on every attempt.
            before_attempt: Ledger hook run before each attempt (renews the lease).

        Raises:
            SendError: It could not be delivered now (see its attributes, among them
                ``maybe_delivered``); never a bare adapter error.
            LostClaim: ``before_attempt`` found the post taken over.
            DirectMessagesClosed: The user does not accept direct messages.
        """
        policy = self.policy
        maybe_delivered = False
        last_error = "no attempt made"
        last_code: str | None = None
        for attempt in range(1, policy.max_attempts + 1):
            if before_attempt is not None and not await before_attempt(attempt):
                raise LostClaim(key)
            # Paced last, right before the request, so the platform sees evenly spaced
            # requests however long each post's preparation and ledger write took.
            await self.pacer.acquire(destination)
            try:
                return await self.sender.send(destination, reply, idempotency_key=key)
            except DirectMessagesClosed:
                raise
            except SendError as exc:
                last_error, last_code = str(exc) or exc.__class__.__name__, exc.code
                if exc.permanent:
                    raise SendError(
                        last_error,
                        permanent=True,
                        code=exc.code,
                        maybe_delivered=maybe_delivered,
                    ) from exc
                if exc.retry_after is not None:
                    metrics.RATE_LIMITED.labels(platform=destination.platform.value).inc()
                    delay = max(0.0, exc.retry_after)
                    # Other posts to the same channel wait the pause out too.
                    self.pacer.back_off(destination, delay)
                    if delay > policy.max_inline_wait:
                        raise SendError(
                            f"rate limited for {delay:.0f} s",
                            permanent=False,
                            code=exc.code or "rate_limited",
                            retry_after=delay,
                            maybe_delivered=maybe_delivered,
                        ) from exc
                else:
                    maybe_delivered = maybe_delivered or exc.code in UNANSWERED
                    delay = policy.backoff(attempt, self._jitter())
            except NoAdapter as exc:
                # Nothing left this process; the platform never saw the message.
                raise SendError(
                    str(exc),
                    permanent=False,
                    code="no_adapter",
                    retry_after=policy.max_delay,
                    maybe_delivered=maybe_delivered,
                ) from exc
            except Exception as exc:
                # Timeouts, connection resets and adapter bugs: the request may or may not
                # have reached the platform.
                log.warning("send of %s failed: %r", key, exc)
                maybe_delivered = True
                last_error, last_code = repr(exc), "error"
                delay = policy.backoff(attempt, self._jitter())
            if attempt < policy.max_attempts:
                log.info(
                    "post %s: attempt %d failed (%s); retry in %.1f s",
                    key,
                    attempt,
                    last_error,
                    delay,
                )
                await self.sleep(delay)
        raise SendError(
            f"gave up after {policy.max_attempts} attempts: {last_error}",
            permanent=False,
            code=last_code,
            maybe_delivered=maybe_delivered,
        )
