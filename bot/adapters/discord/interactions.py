"""From Discord interactions to :class:`Invocation` objects, stored and acknowledged first.

Slash commands and button presses are committed to the durable inbox (group-committed, a few
milliseconds; see :mod:`.intake`) and deferred before anything else touches the database
(the 3-second rule), then dispatched, then answered through :mod:`.respond`. Autocomplete is
answered within :data:`COMPLETE_TIMEOUT` seconds, with no suggestions on any error. Any
interaction that reaches discord.py's error path is still answered, so a user never sees
"The application did not respond".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, cast

import discord
from discord import app_commands

from bot.adapters.discord.intake import Intake
from bot.adapters.discord.respond import Deferral, answer_now, deliver
from bot.adapters.discord.views import parse_custom_id
from bot.core.commands import CommandSpec, Param
from bot.core.dispatcher import SORRY, Dispatcher
from bot.core.models import Actor, Invocation, InvocationKind, Platform, Reply, SpaceRef

log = logging.getLogger(__name__)

COMPLETE_TIMEOUT = 2.0
GUILD_ONLY = "studybot's commands work in your study group's server, not in direct messages."
STALE_BUTTON = "That button no longer does anything."
RESTARTING = "studybot is restarting. Please try again in a minute."
OUT_OF_DATE = (
    "This command does not match the running bot. A server admin can fix that with "
    "`studybot discord sync`."
)


class InteractionResponder:
    """The dispatcher's :class:`~bot.core.dispatcher.Responder` for one interaction."""

    def __init__(self, interaction: discord.Interaction, deferral: Deferral) -> None:
        self.interaction = interaction
        self.deferral = deferral
        self.sent = False

    async def send(self, reply: Reply) -> None:
        """Deliver the reply as the interaction's answer."""
        self.sent = True
        await deliver(self.interaction, reply, self.deferral)


def actor_of(interaction: discord.Interaction) -> Actor:
    """Who is asking: Manage Server (or Administrator) makes an admin; roles as ids."""
    user = interaction.user
    is_admin = False
    roles: frozenset[str] = frozenset()
    if isinstance(user, discord.Member):
        perms = interaction.permissions
        is_admin = perms.manage_guild or perms.administrator
        roles = frozenset(str(r.id) for r in user.roles if not r.is_default())
    return Actor(
        user_id=str(user.id), display_name=user.display_name, is_admin=is_admin, roles=roles
    )


def space_of(interaction: discord.Interaction) -> SpaceRef | None:
    """The guild an interaction came from (``None`` in direct messages)."""
    if interaction.guild_id is None:
        return None
    name = interaction.guild.name if interaction.guild is not None else ""
    return SpaceRef(Platform.DISCORD, str(interaction.guild_id), name or "")


class InteractionHandler:
    """Turns interactions into invocations for the dispatcher and answers them.

    Args:
        dispatcher: The core dispatcher.
        complete_timeout: Seconds an autocomplete may take before it answers with nothing.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        complete_timeout: float = COMPLETE_TIMEOUT,
        intake: Intake | None = None,
    ):
        self.dispatcher = dispatcher
        self.intake = intake or Intake(None, dispatcher.services.clock)
        self.complete_timeout = complete_timeout
        self.accepting = True
        self._inflight: set[asyncio.Task[Any]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
            self._idle.clear()
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)
                if not self._inflight:
                    self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no command or button press is being handled."""
        await self._idle.wait()

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109
        """Stop taking interactions and wait (bounded) for those in flight to be answered."""
        self.accepting = False
        try:
            await asyncio.wait_for(self.wait_idle(), timeout)
        except TimeoutError:
            log.warning("%d interaction(s) still running at shutdown", len(self._inflight))

    def invocation(
        self,
        interaction: discord.Interaction,
        space: SpaceRef,
        command: str,
        args: dict[str, Any],
        kind: InvocationKind = InvocationKind.COMMAND,
    ) -> Invocation:
        """The invocation for an interaction in ``space``."""
        channel = interaction.channel_id
        return Invocation(
            platform=Platform.DISCORD,
            space=space,
            actor=actor_of(interaction),
            command=command,
            channel_id=str(channel) if channel is not None else None,
            args=args,
            kind=kind,
        )

    async def _answer(
        self, interaction: discord.Interaction, invocation: Invocation, deferral: Deferral
    ) -> None:
        """Dispatch and deliver; the dispatcher counts it in flight until the reply is out."""
        responder = InteractionResponder(interaction, deferral)
        try:
            await self.dispatcher.handle(invocation, responder)
        except Exception:  # the dispatcher answers errors itself; this is a last guard
            log.exception("dispatch of %s failed", invocation.id)
            if not responder.sent:
                await deliver(
                    interaction,
                    Reply(text=SORRY.format(id=invocation.id), ephemeral=True),
                    deferral,
                )

    async def _defer(self, interaction: discord.Interaction, **options: Any) -> bool:
        try:
            await interaction.response.defer(**options)
        except discord.HTTPException as exc:
            # 10062: Discord gave up on this interaction (over 3 s); nobody can answer it now.
            log.warning("could not acknowledge interaction %s: %s", interaction.id, exc)
            return False
        return True

    async def run_command(
        self, interaction: discord.Interaction, spec: CommandSpec, args: dict[str, Any]
    ) -> None:
        """Acknowledge, dispatch and answer one slash command."""
        with self._tracked():
            space = space_of(interaction)
            if space is None or not self.accepting:
                await answer_now(interaction, GUILD_ONLY if space is None else RESTARTING)
                return
            invocation = self.invocation(interaction, space, spec.full_name, args)
            deferral = Deferral.EPHEMERAL if spec.ephemeral else Deferral.PUBLIC
            taken = await self.intake.take(interaction, invocation, deferral.value)
            if taken.refusal:
                await answer_now(interaction, taken.refusal)
            if not taken.run:
                return  # refused, or a redelivery the first delivery answers
            if not await self._defer(interaction, ephemeral=spec.ephemeral, thinking=True):
                return
            invocation = replace(invocation, inbox_key=taken.key)
            await self._answer(interaction, invocation, deferral)

    async def complete(
        self, interaction: discord.Interaction, spec: CommandSpec, param: Param, current: str
    ) -> list[str]:
        """Suggestions for ``param``; an empty list on errors, timeouts or in DMs."""
        space = space_of(interaction)
        if space is None or param.autocomplete is None or not self.accepting:
            return []
        invocation = self.invocation(interaction, space, spec.full_name, {})
        try:
            return await asyncio.wait_for(
                self.dispatcher.complete(invocation, param.autocomplete, current),
                self.complete_timeout,
            )
        except Exception:
            log.warning("autocomplete %s for /%s failed", param.autocomplete, spec.full_name)
            return []

    async def on_component(self, interaction: discord.Interaction) -> None:
        """Handle a button press on any message the bot sent, before or after a restart."""
        if interaction.type is not discord.InteractionType.component:
            return
        with self._tracked():
            if not self.accepting:
                await answer_now(interaction, RESTARTING)
                return
            data = cast(dict[str, Any], interaction.data or {})
            raw = str(data.get("custom_id", ""))
            press = parse_custom_id(raw)
            space = space_of(interaction)
            if space is None and press is not None and press.space_id:
                space = SpaceRef(Platform.DISCORD, press.space_id)
                interaction.extras["studybot_space"] = press.space_id
            if press is None or space is None:
                if await self._defer(interaction):
                    text = STALE_BUTTON if press is None else GUILD_ONLY
                    await deliver(interaction, Reply(text=text, ephemeral=True), Deferral.UPDATE)
                return
            invocation = self.invocation(
                interaction, space, press.action_id, {"value": press.value}, InvocationKind.ACTION
            )
            taken = await self.intake.take(interaction, invocation, Deferral.UPDATE.value)
            if taken.refusal:
                await answer_now(interaction, taken.refusal)
            if not taken.run or not await self._defer(interaction):
                return
            invocation = replace(invocation, inbox_key=taken.key)
            await self._answer(interaction, invocation, Deferral.UPDATE)

    async def on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Answer an interaction discord.py could not route to a command callback."""
        stale = isinstance(
            error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch
        )
        if stale:
            log.warning(
                "interaction %s for an unknown or changed command: %s", interaction.id, error
            )
        else:
            log.error("interaction %s failed", interaction.id, exc_info=error)
        await answer_now(interaction, OUT_OF_DATE if stale else SORRY.format(id=interaction.id))
