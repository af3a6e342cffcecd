"""The App Home tab: the member's streak, badges, today's challenge and leaderboard rank.

It is built from the very replies the commands give (``/streak``, ``/challenge``,
``/leaderboard``), dispatched internally for the member, so the Home tab never disagrees with
the commands. Commands that are not installed are skipped. A button pressed in the Home tab
republishes it, with the button's answer shown on top.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import HOME_MAX_BLOCKS, context, divider, header, render_blocks
from bot.core.dispatcher import Dispatcher
from bot.core.models import Actor, Invocation, Platform, Reply, SpaceRef

log = logging.getLogger(__name__)

HOME_COMMANDS = ("streak", "badges", "challenge", "leaderboard")
TITLE = "Your study group"
NO_COMMANDS = "Use `/help` in any channel to see what studybot can do."


class HomeTab:
    """Publishes a member's Home tab.

    Args:
        client: Web API client with the bot token.
        dispatcher: Runs the internal invocations.
        commands: Command names whose replies make up the tab, in order.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        dispatcher: Dispatcher,
        commands: tuple[str, ...] = HOME_COMMANDS,
    ) -> None:
        self._client = client
        self._dispatcher = dispatcher
        self.commands = commands

    async def publish(self, space: SpaceRef, actor: Actor, notice: Reply | None = None) -> None:
        """Build and publish the tab for ``actor``; ``notice`` is shown first when given."""
        replies = await self.replies(space, actor)
        blocks = build_blocks(replies, notice)
        await self._client.views_publish(
            user_id=actor.user_id, view={"type": "home", "blocks": blocks}
        )

    async def replies(self, space: SpaceRef, actor: Actor) -> list[Reply]:
        """The replies of the Home commands that exist, as the member would get them."""
        registry = self._dispatcher.services.registry
        replies: list[Reply] = []
        for name in self.commands:
            if registry.get(name) is None:
                continue
            invocation = Invocation(
                platform=Platform.SLACK, space=space, actor=actor, command=name, text=""
            )
            replies.append(await self._dispatcher.dispatch(invocation))
        return replies


def build_blocks(replies: list[Reply], notice: Reply | None = None) -> list[dict[str, object]]:
    """The Home view's blocks: an optional notice, then each reply, within 100 blocks."""
    blocks: list[dict[str, object]] = [header(TITLE)]
    if notice is not None and (notice.text or notice.title):
        blocks += render_blocks(replace(notice, buttons=()), max_blocks=10)
        blocks.append(divider())
    if not replies:
        blocks.append(context(NO_COMMANDS))
    for index, reply in enumerate(replies):
        if index:
            blocks.append(divider())
        room = HOME_MAX_BLOCKS - len(blocks)
        if room <= 1:
            blocks.append(context("_More did not fit; use the commands in any channel._"))
            break
        blocks += render_blocks(reply, max_blocks=room)
    return blocks[:HOME_MAX_BLOCKS]
