"""Bolt listeners: acknowledge at once, drop redeliveries, hand the work to a tracked task.

Each listener does no I/O besides the ack, so bolt answers Slack (HTTP 200 or the Socket Mode
ack) as soon as the listener returns. Listeners are plain functions because bolt injects
arguments by parameter name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack import translate
from bot.adapters.slack.cache import SeenKeys
from bot.adapters.slack.inbound import InboundWork
from bot.adapters.slack.retries import delivery_key

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None], str], None]
Ack = Callable[..., Awaitable[Any]]


def register(
    bolt: AsyncApp,
    work: InboundWork,
    seen: SeenKeys,
    spawn: Spawn,
    arrived: Callable[[], None] = lambda: None,
) -> None:
    """Attach the command, action and App Home listeners to ``bolt``.

    ``arrived`` is told about every request, so work can let a burst of acks go first.
    """

    def first_delivery(body: dict[str, Any]) -> bool:
        key = delivery_key(body)
        if key is None or seen.first_time(key):
            return True
        log.info("ignoring a redelivery of %s", key)
        return False

    async def on_command(ack: Ack, body: dict[str, Any]) -> None:
        arrived()
        await ack()
        if first_delivery(body):
            spawn(
                work.command(body),
                f"slack-command-{translate.command_name(body.get('command', ''))}",
            )

    async def on_action(ack: Ack, body: dict[str, Any]) -> None:
        arrived()
        await ack()
        if body.get("type") != "block_actions":
            return
        found = translate.action_of(body)
        if found is None or not first_delivery(body):
            return  # a link button (Slack still reports the click) or a redelivery
        action_id, value = found
        spawn(work.action(body, action_id, value), f"slack-action-{action_id}")

    async def on_home_opened(ack: Ack, body: dict[str, Any], event: dict[str, Any]) -> None:
        arrived()
        await ack()
        if first_delivery(body):
            spawn(work.home_opened(body, event), "slack-home")

    bolt.command(re.compile(r"^/.+"))(on_command)
    bolt.action(re.compile(r".+"))(on_action)
    bolt.event("app_home_opened")(on_home_opened)
