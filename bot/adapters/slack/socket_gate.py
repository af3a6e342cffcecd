"""Checks every Socket Mode envelope before bolt sees it, as the request gate does for HTTP.

Socket Mode needs no signature (the connection is authenticated by the app token), but the
payloads are the same, so the same shape checks apply: a slash command names its member,
workspace and ``/command``; an interaction is a JSON object naming its member and
workspace, a click at least one action with an id. An envelope that fails is acknowledged
(so it is not delivered again) and dropped with one log line. Without this, slack_sdk
raises on a payload that is not an object and bolt's listeners on a malformed one, both
with a traceback in the log.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.adapters.slack.request_gate import envelope_problem

log = logging.getLogger(__name__)


async def check_envelope(
    client: AsyncBaseSocketModeClient, message: dict[str, Any], _raw: str | None
) -> None:
    """A slack_sdk message listener: ack and drop an envelope Slack would never send.

    Message listeners run before slack_sdk builds the request for bolt from the same dict;
    removing its ``payload`` makes slack_sdk skip it.
    """
    kind = message.get("type")
    envelope_id = message.get("envelope_id")
    if not isinstance(kind, str) or not envelope_id or "payload" not in message:
        return
    problem = envelope_problem(kind, message["payload"])
    if problem is None:
        return
    del message["payload"]
    log.warning("Slack Socket Mode envelope %s dropped: %s", str(envelope_id)[:40], problem)
    try:
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=str(envelope_id)))
    except Exception as exc:  # a closed socket: Slack redelivers, and we drop it again
        log.warning("could not acknowledge dropped envelope: %r", exc)


def install(client: AsyncBaseSocketModeClient) -> None:
    """Run :func:`check_envelope` on every message ``client`` receives."""
    client.message_listeners.insert(0, check_envelope)
