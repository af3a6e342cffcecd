"""Small pieces shared by the space and member linking commands."""

from __future__ import annotations

from datetime import datetime

from bot.core.context import CommandContext
from bot.core.models import Reply
from bot.core.refs import StoredSpace
from bot.db.repositories.linking.codes import REJECTED_ACTION
from bot.features.linking.codes import INVALID, CodeKind

PLATFORM_NAMES = {"discord": "Discord", "slack": "Slack", "console": "Console"}


def platform_name(platform: str) -> str:
    """``"discord"`` → ``"Discord"``."""
    return PLATFORM_NAMES.get(platform, platform)


def space_label(space: StoredSpace) -> str:
    """How a space is named in replies: ``Slack workspace “Bootcamp”``."""
    kind = {"discord": "server", "slack": "workspace"}.get(space.platform, "space")
    name = space.name or space.external_id
    return f"{platform_name(space.platform)} {kind} “{name}”"


def until(at: datetime) -> str:
    """An expiry time as shown to users (UTC, since members may be anywhere)."""
    return f"{at:%H:%M} UTC"


async def reject(ctx: CommandContext, kind: CodeKind) -> Reply:
    """Answer a bad code the same way whatever was wrong, and count the attempt.

    The attempt is written to the audit log (without the code), which is also what the
    per-member attempt limit counts; the reply is returned, not raised, so that record
    commits with the command.
    """
    await ctx.audit(REJECTED_ACTION, target=f"{kind.value} code", reason="code not accepted")
    return Reply(text=INVALID, ephemeral=True)
