"""Storing each Slack command and button press in the durable inbox before the ack.

The idempotency key comes from Slack's own ids: a slash command's ``trigger_id`` (unique per
invocation; the team, user and request timestamp when it is missing), a click's
``action_ts`` and ``trigger_id``. A redelivery (Slack retrying an interaction it thinks timed
out, a replayed request) finds its key stored and is acknowledged without running again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.clock import Clock
from bot.core.inbox import Inbox, InboxEntry, InboxUnavailable
from bot.core.models import Platform

log = logging.getLogger(__name__)

COMMAND = "command"
ACTION = "action"
NOT_STORED = (
    "Sorry, I could not take that just now (my database is not answering), so nothing "
    "was done. Please try again in a minute."
)
# Fields the replay never needs; the verification token is a (deprecated) secret.
_DROPPED = ("token",)


@dataclass(frozen=True)
class Taken:
    """What became of one request at the inbox.

    Attributes:
        key: Its idempotency key (``None`` when no inbox is configured).
        run: Whether to run it now (``False`` for a redelivery or a failure).
        refusal: Text to acknowledge with instead of running it (the inbox failed).
    """

    key: str | None
    run: bool
    refusal: str | None = None


def _header(headers: Mapping[str, Any] | None, name: str) -> str:
    if not headers:
        return ""
    value = headers.get(name) or headers.get(name.lower()) or ""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value)


def command_key(body: Mapping[str, Any], headers: Mapping[str, Any] | None = None) -> str:
    """``slack:T1:U1:cmd:<trigger_id>`` (or the request timestamp and a digest of the text)."""
    prefix = f"slack:{body.get('team_id', '')}:{body.get('user_id', '')}:cmd:"
    trigger = str(body.get("trigger_id") or "")
    if trigger:
        return prefix + trigger[:120]
    stamp = _header(headers, "X-Slack-Request-Timestamp")
    digest = hashlib.sha256(
        f"{body.get('command', '')}\0{body.get('text', '')}".encode("utf-8", "replace")
    ).hexdigest()[:24]
    return f"{prefix}{stamp}:{digest}"


def action_key(body: Mapping[str, Any]) -> str:
    """``slack:T1:U1:act:<action_id>:<action_ts>:<trigger_id>`` for a ``block_actions`` click."""
    user = body.get("user") or {}
    team = body.get("team") or {}
    actions = body.get("actions") or [{}]
    first = actions[0] if isinstance(actions[0], dict) else {}
    return (
        f"slack:{team.get('id') or user.get('team_id') or ''}:{user.get('id', '')}:act:"
        f"{str(first.get('action_id', ''))[:60]}:{first.get('action_ts', '')}:"
        f"{str(body.get('trigger_id') or '')[:60]}"
    )[:200]


def summary_of(kind: str, body: Mapping[str, Any]) -> str:
    """What the member sent, for the message answering it after a restart."""
    if kind == COMMAND:
        text = " ".join(str(body.get("text") or "").split())
        return f"{body.get('command', '')} {text}".strip()[:200]
    actions = body.get("actions") or [{}]
    first = actions[0] if isinstance(actions[0], dict) else {}
    label = (first.get("text") or {}).get("text") if isinstance(first.get("text"), dict) else None
    return f"the {label or first.get('action_id', '')} button"[:200]


@dataclass(frozen=True)
class Intake:
    """Stores requests in the inbox (or lets them through when there is none).

    Args:
        inbox: The app's inbox (``None``: no durability, as in a bare adapter).
        clock: The app's clock (arrival times, response_url windows).
    """

    inbox: Inbox | None
    clock: Clock

    async def take(
        self, kind: str, body: dict[str, Any], headers: Mapping[str, Any] | None = None
    ) -> Taken:
        """Store one request; never raises."""
        if self.inbox is None:
            return Taken(None, True)
        key = command_key(body, headers) if kind == COMMAND else action_key(body)
        payload = {k: v for k, v in body.items() if k not in _DROPPED}
        entry = InboxEntry(
            key=key,
            platform=Platform.SLACK,
            kind=kind,
            payload=payload,
            summary=summary_of(kind, body),
            received_at=self.clock.now(),
        )
        try:
            new = await self.inbox.accept(entry)
        except InboxUnavailable as exc:
            log.error("Slack %s not stored, refused: %s", kind, exc)
            return Taken(key, False, NOT_STORED)
        if not new:
            log.info("ignoring a redelivery of %s", key)
        return Taken(key, new)
