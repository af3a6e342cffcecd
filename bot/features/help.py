"""``/help``: the commands the caller may use, built from the registry."""

from __future__ import annotations

from bot.core.commands import Role, Router
from bot.core.context import CommandContext
from bot.core.models import Reply, ReplyField

ORDER = 1

router = Router()


@router.command("help", "List the commands you can use.", ephemeral=True)
async def help_command(ctx: CommandContext) -> Reply:
    """List every command the caller's role allows, moderators' ones in their own field."""
    member_lines: list[str] = []
    moderator_lines: list[str] = []
    for spec in ctx.services.registry.commands:
        if spec.requires is Role.MODERATOR and not ctx.is_moderator:
            continue
        line = f"`{spec.usage()}`: {spec.description}"
        (moderator_lines if spec.requires is Role.MODERATOR else member_lines).append(line)
    fields = [ReplyField("Commands", "\n".join(member_lines))]
    if moderator_lines:
        fields.append(ReplyField("Moderator commands", "\n".join(moderator_lines)))
    return Reply(
        title="studybot help",
        text="Daily backend challenges, streaks and a 12-month roadmap for this group.",
        fields=tuple(fields),
        footer="Options can also be given by name, e.g. `/settings timezone:Europe/Berlin`.",
    )
