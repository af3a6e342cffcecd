"""Checks every HTTP request from Slack before bolt or our parser sees a byte of it.

Order matters: the signature is verified over the raw bytes first, so an unsigned or
forged request is refused without being decoded at all; only then is the body checked
for the shapes Slack actually sends (URL-encoded slash commands and interactions, JSON
events). Anything else gets a 401 or 400 and one log line, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

# Slack's own window: requests more than five minutes away from our clock are replays.
MAX_SKEW_SECONDS = 300
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused: the HTTP status and a short reason for the log."""

    status: int
    reason: str


def check_request(
    headers: Mapping[str, str],
    body: bytes,
    signing_secret: str,
    now: Callable[[], float] = time.time,
) -> Refusal | None:
    """Return why Slack's request must be refused, or None when it may be dispatched.

    Args:
        headers: The request headers (case-insensitive mapping, as aiohttp gives).
        body: The raw body exactly as received.
        signing_secret: The app's signing secret.
        now: Wall clock in Unix seconds (Slack signs with real time, not the bot's clock).
    """
    unsigned = _signature_problem(headers, body, signing_secret, now())
    if unsigned is not None:
        return Refusal(401, unsigned)
    malformed = _shape_problem(headers.get("Content-Type", ""), body)
    return Refusal(400, malformed) if malformed is not None else None


def _signature_problem(
    headers: Mapping[str, str], body: bytes, secret: str, now: float
) -> str | None:
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not stamp or not signature:
        return "unsigned"
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
        return "timestamp is not a number"
    if abs(now - int(stamp)) > MAX_SKEW_SECONDS:
        return "stale timestamp"
    if not secret:
        return "no signing secret configured"
    base = b"v0:" + stamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "bad signature"
    return None


def _shape_problem(content_type: str, body: bytes) -> str | None:
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    charset = params.strip().lower().removeprefix("charset=").strip('"') if params else ""
    if charset and charset not in ("utf-8", "utf8"):
        return f"unsupported charset {charset[:20]!r}"
    if media not in (FORM, JSON):
        return f"unsupported content type {media[:40]!r}"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if media == JSON:
        return _event_problem(text)
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        return "body is not form data"
    if "payload" in fields:
        return _interaction_problem(fields["payload"][0])
    if "command" in fields:
        return command_problem({name: values[0] for name, values in fields.items()})
    if "ssl_check" in fields:
        return None
    return "form body is neither a command nor an interaction"


def _event_problem(text: str) -> str | None:
    try:
        event = json.loads(text)
    except ValueError:
        return "body is not JSON"
    return event_problem(event)


def _interaction_problem(raw: str) -> str | None:
    try:
        payload: Any = json.loads(raw)
    except ValueError:
        return "payload is not JSON"
    return interaction_problem(payload)


def event_problem(event: Any) -> str | None:
    """Why an Events API body is not one Slack sends, or None."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event is not a JSON object with a type"
    return None


def interaction_problem(payload: Any) -> str | None:
    """Why an interaction payload (button, view, shortcut) is not one Slack sends, or None.

    Every interaction names the member who acted and the workspace; a click names at least
    one action with an id.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return "payload is not a JSON object with a type"
    user = payload.get("user")
    if not isinstance(user, dict) or not _text(user.get("id")):
        return "payload without a user id"
    team = payload.get("team")
    if not _text(team.get("id") if isinstance(team, dict) else None) and not _text(
        user.get("team_id")
    ):
        return "payload without a team id"
    if payload["type"] == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without actions"
        if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
            return "an action is not an object with an action_id"
    return None


def command_problem(fields: Mapping[str, Any]) -> str | None:
    """Why slash command fields are not ones Slack sends (who, where, which command), or None."""
    if not _text(fields.get("user_id")) or not _text(fields.get("team_id")):
        return "slash command without user_id or team_id"
    command = fields.get("command")
    if not isinstance(command, str) or not command.startswith("/") or len(command) < 2:
        return "slash command without a /command"
    text = fields.get("text", "")
    if text is not None and not isinstance(text, str):
        return "slash command text is not a string"
    return None


def envelope_problem(kind: str, payload: Any) -> str | None:
    """Why a Socket Mode envelope's payload is not one Slack sends, or None.

    The same checks as over HTTP: Socket Mode carries the same payloads as JSON objects.
    """
    if kind == "slash_commands":
        if not isinstance(payload, dict):
            return "slash command is not a JSON object"
        return command_problem(payload)
    if kind == "interactive":
        return interaction_problem(payload)
    if kind == "events_api":
        return event_problem(payload)
    return None


def _text(value: Any) -> bool:
    """Whether ``value`` is a non-blank string."""
    return isinstance(value, str) and bool(value.strip())
