"""The work behind each acknowledged Slack request: commands, button presses, Home opens.

Runs after the ack, in a task the adapter tracks. Lookups (who is asking), the database
(through the dispatcher) and the answer all happen here, never before the ack. Replies go out
through ``Dispatcher.handle`` so a shutdown drain waits until they are delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.adapters.slack import translate
from bot.adapters.slack.home import HomeTab
from bot.adapters.slack.moderators import ActorResolver
from bot.adapters.slack.respond import ReplySender
from bot.core.dispatcher import SORRY, Dispatcher
from bot.core.models import Actor, Invocation, Platform, Reply, SpaceRef

log = logging.getLogger(__name__)

Deliver = Callable[[Reply], Awaitable[None]]


@dataclass(frozen=True)
class _Responder:
    """Adapts a send function to the dispatcher's ``Responder`` protocol."""

    deliver: Callable[[Reply], Awaitable[Any]]

    async def send(self, reply: Reply) -> None:
        await self.deliver(reply)


@dataclass
class InboundWork:
    """What the listeners hand acknowledged requests to.

    Attributes:
        dispatcher: Runs invocations.
        resolver: Builds actors (names, admin status, user groups).
        sender: Answers the user.
        home: Publishes the App Home tab.
        team_domain: Workspace domain for events that carry only the team id.
    """

    dispatcher: Dispatcher
    resolver: ActorResolver
    sender: ReplySender
    home: HomeTab
    team_domain: str = ""

    async def command(
        self,
        body: dict[str, Any],
        *,
        inbox_key: str | None = None,
        sent_at: datetime | None = None,
        deliver: Deliver | None = None,
    ) -> None:
        """Run a slash command and answer through its response_url.

        Args:
            body: The slash command payload.
            inbox_key: Its durable inbox entry (marked done with the command's effects).
            sent_at: When it was sent, for a command run after a restart.
            deliver: How to answer instead of the response_url (a late answer).
        """
        who = translate.command_who(body)

        async def respond(reply: Reply) -> None:
            await self.sender.send(
                reply,
                response_url=body.get("response_url"),
                channel_id=body.get("channel_id"),
                user_id=who.user_id,
                inbox_key=inbox_key,
            )

        actor = await self.resolver.resolve(who.user_id, who.user_name)
        invocation = translate.command_invocation(body, actor)
        invocation = replace(invocation, inbox_key=inbox_key, sent_at=sent_at)
        await self._run(invocation, deliver or respond)

    async def tell(self, body: dict[str, Any], text: str) -> None:
        """Answer the clicker privately without running anything (the inbox refused)."""
        who = translate.action_who(body)
        await self.sender.send(
            Reply(text=text, ephemeral=True),
            response_url=body.get("response_url"),
            channel_id=translate.action_channel(body),
            user_id=who.user_id,
        )

    async def action(
        self,
        body: dict[str, Any],
        action_id: str,
        value: str,
        *,
        inbox_key: str | None = None,
        sent_at: datetime | None = None,
        deliver: Deliver | None = None,
    ) -> None:
        """Run a button press; update the message, answer the clicker, or refresh Home.

        ``inbox_key``, ``sent_at`` and ``deliver`` as for :meth:`command`.
        """
        who = translate.action_who(body)
        actor = await self.resolver.resolve(who.user_id, who.user_name)

        async def respond(reply: Reply) -> None:
            if translate.in_home_tab(body):
                await self._publish_home(translate.space_of(who), actor, notice=reply)
                return
            await self.sender.send(
                reply,
                response_url=body.get("response_url"),
                channel_id=translate.action_channel(body),
                user_id=who.user_id,
                replace_original=reply.update_original,
                inbox_key=inbox_key,
            )

        invocation = translate.action_invocation(body, actor, action_id, value)
        invocation = replace(invocation, inbox_key=inbox_key, sent_at=sent_at)
        await self._run(invocation, deliver or respond)

    async def home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """Publish the Home tab for the member who opened it."""
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        team_id = str(body.get("team_id") or "")
        space = SpaceRef(Platform.SLACK, team_id, self.team_domain)
        user_id = str(event["user"])
        actor = await self.resolver.resolve(user_id, user_id)
        await self._publish_home(space, actor)

    async def _run(
        self, invocation: Invocation, deliver: Callable[[Reply], Awaitable[None]]
    ) -> None:
        try:
            await self.dispatcher.handle(invocation, _Responder(deliver))
        except Exception:
            # The dispatcher turns handler errors into replies; this is a delivery bug.
            log.exception("slack invocation %s (%s) failed", invocation.id, invocation.command)
            await deliver(Reply(text=SORRY.format(id=invocation.id), ephemeral=True))

    async def _publish_home(
        self, space: SpaceRef, actor: Actor, notice: Reply | None = None
    ) -> None:
        try:
            await self.home.publish(space, actor, notice)
        except Exception:
            log.exception("could not publish the Home tab of %s", actor.user_id)
