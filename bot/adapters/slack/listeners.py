"""Bolt listeners: store, acknowledge, drop redeliveries, hand the work to a tracked task.

A command or button press is first committed to the durable inbox (group-committed, a few
milliseconds; see :mod:`.intake`), then acknowledged, so nothing Slack got a 200 for can be
lost by a crash. Besides that write the listeners do no I/O, so bolt answers Slack (HTTP 200
or the Socket Mode ack) as soon as they return. Listeners are plain functions because bolt
injects arguments by parameter name.
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
from bot.adapters.slack.intake import ACTION, COMMAND, Intake
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
    intake: Intake | None = None,
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

    async def on_command(ack: Ack, body: dict[str, Any], request: Any) -> None:
        arrived()
        if intake is None:
            await ack()
            if first_delivery(body):
                spawn(work.command(body), _task_name(body))
            return
        taken = await intake.take(COMMAND, body, getattr(request, "headers", None))
        await ack(text=taken.refusal) if taken.refusal else await ack()
        if taken.run:
            spawn(work.command(body, inbox_key=taken.key), _task_name(body))

    async def on_action(ack: Ack, body: dict[str, Any]) -> None:
        arrived()
        found = translate.action_of(body) if body.get("type") == "block_actions" else None
        if found is None:
            await ack()
            return  # a link button (Slack still reports the click), or not a click
        action_id, value = found
        if intake is None:
            await ack()
            if first_delivery(body):
                spawn(work.action(body, action_id, value), f"slack-action-{action_id}")
            return
        taken = await intake.take(ACTION, body)
        await ack()
        if taken.refusal:
            spawn(work.tell(body, taken.refusal), "slack-action-refused")
        if taken.run:
            spawn(
                work.action(body, action_id, value, inbox_key=taken.key),
                f"slack-action-{action_id}",
            )

    async def on_home_opened(ack: Ack, body: dict[str, Any], event: dict[str, Any]) -> None:
        arrived()
        await ack()
        if first_delivery(body):
            spawn(work.home_opened(body, event), "slack-home")

    bolt.command(re.compile(r"^/.+"))(on_command)
    bolt.action(re.compile(r".+"))(on_action)
    bolt.event("app_home_opened")(on_home_opened)


def _task_name(body: dict[str, Any]) -> str:
    return f"slack-command-{translate.command_name(str(body.get('command', '')))}"
