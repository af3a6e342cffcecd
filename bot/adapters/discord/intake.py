"""Storing each Discord slash command and button press in the durable inbox before the defer.

A deferred interaction is never delivered again, so if the process died after the
"thinking…" the command would be gone. The entry keeps what a later process needs to run
and answer it without the gateway: the interaction's application id and token (the
follow-up webhook, valid 15 minutes), the guild, channel and caller, and the command with
its typed options. The idempotency key is the interaction id, which Discord never reuses
(a gateway replay after a resume carries the same id).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import discord

from bot.core.clock import Clock
from bot.core.inbox import Inbox, InboxEntry, InboxUnavailable
from bot.core.models import Actor, Invocation, InvocationKind, Platform, SpaceRef

log = logging.getLogger(__name__)

NOT_STORED = (
    "Sorry, I could not take that just now (my database is not answering), so nothing was "
    "done. Please try again in a minute."
)


@dataclass(frozen=True)
class Taken:
    """What became of one interaction at the inbox.

    Attributes:
        key: Its idempotency key (``None`` when no inbox is configured).
        run: Whether to defer and run it now.
        refusal: Text to answer with instead (the inbox failed).
    """

    key: str | None
    run: bool
    refusal: str | None = None


def interaction_key(interaction: discord.Interaction) -> str:
    """``discord:<interaction id>``."""
    return f"discord:{interaction.id}"


def payload_of(
    interaction: discord.Interaction, invocation: Invocation, deferral: str
) -> dict[str, Any]:
    """What a later process needs to run ``invocation`` and answer ``interaction``."""
    actor = invocation.actor
    return {
        "application_id": str(interaction.application_id),
        "token": interaction.token,
        "guild_id": invocation.space.external_id,
        "guild_name": invocation.space.name,
        "channel_id": invocation.channel_id,
        "user_id": actor.user_id,
        "display_name": actor.display_name,
        "is_admin": actor.is_admin,
        "roles": sorted(actor.roles),
        "command": invocation.command,
        # Options are str/int/bool/float (users and channels already reduced to ids).
        "args": json.loads(json.dumps(invocation.args or {}, default=str)),
        "kind": invocation.kind.value,
        "deferral": deferral,
    }


def invocation_of(payload: dict[str, Any], key: str) -> Invocation:
    """The invocation stored in ``payload`` (the inverse of :func:`payload_of`)."""
    return Invocation(
        platform=Platform.DISCORD,
        space=SpaceRef(Platform.DISCORD, str(payload["guild_id"]), str(payload["guild_name"])),
        actor=Actor(
            user_id=str(payload["user_id"]),
            display_name=str(payload["display_name"]),
            is_admin=bool(payload["is_admin"]),
            roles=frozenset(str(r) for r in payload["roles"]),
        ),
        command=str(payload["command"]),
        channel_id=payload.get("channel_id"),
        args=dict(payload.get("args") or {}),
        kind=InvocationKind(payload["kind"]),
        inbox_key=key,
    )


def summary_of(invocation: Invocation) -> str:
    """``/done note:built it`` (or ``the checkin.done button``), at most 200 characters."""
    if invocation.kind is InvocationKind.ACTION:
        return f"the {invocation.command} button"[:200]
    options = " ".join(f"{k}:{v}" for k, v in (invocation.args or {}).items())
    return f"/{invocation.command} {options}".strip()[:200]


@dataclass(frozen=True)
class Intake:
    """Stores interactions in the inbox (or lets them through when there is none)."""

    inbox: Inbox | None
    clock: Clock

    async def take(
        self, interaction: discord.Interaction, invocation: Invocation, deferral: str
    ) -> Taken:
        """Store one interaction; never raises."""
        if self.inbox is None:
            return Taken(None, True)
        key = interaction_key(interaction)
        entry = InboxEntry(
            key=key,
            platform=Platform.DISCORD,
            kind=invocation.kind.value,
            payload=payload_of(interaction, invocation, deferral),
            summary=summary_of(invocation),
            received_at=self.clock.now(),
        )
        try:
            new = await self.inbox.accept(entry)
        except InboxUnavailable as exc:
            log.error("Discord interaction %s not stored, refused: %s", interaction.id, exc)
            return Taken(key, False, NOT_STORED)
        if not new:
            log.info("ignoring a redelivery of interaction %s", interaction.id)
        return Taken(key, new)
